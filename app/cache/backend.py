"""The cache backend contract: keyed source data with the time it was fetched.

A backend stores `CachedValue`s under `CacheKey`s for a retention period and hands them back
as they were stored; it never decides freshness (that is `SourceCache`'s job, from each
system's TTL). A backend that cannot read or write reports misses and drops writes, so a broken
cache only costs speed; a failed delete raises, because invalidation serves privacy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

KEY_PREFIX = "c360:source"  # shared backends store keys under it


@dataclass(frozen=True, slots=True)
class CacheKey:
    """Source data of one kind of one external record: the same whoever asks for it."""

    system: str
    kind: str
    external_id: str


@dataclass(frozen=True, slots=True)
class CachedValue:
    """A value and when it was fetched from its source (epoch seconds)."""

    value: Any
    fetched_at: float


class CacheBackend(Protocol):
    """Where cached source data lives (in-process or shared)."""

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, CachedValue]:
        """The stored values of `keys`; missing keys are absent."""
        ...

    async def set_many(self, values: Mapping[CacheKey, CachedValue], *, retain_for: float) -> None:
        """Store `values`, each kept for `retain_for` seconds."""
        ...

    async def delete_many(self, keys: Sequence[CacheKey]) -> None:
        """Forget `keys` (consent change, erasure)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
