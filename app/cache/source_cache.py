"""Freshness on top of a backend: fresh within the TTL, usable on error within stale-if-error.

Ages are measured on the wall clock (`time.time`), because a shared backend is read by
several processes: a monotonic clock would mean nothing across them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.cache.backend import CacheBackend, CachedValue, CacheKey


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """How long a system's data is fresh, and how much longer it may stand in for an error."""

    ttl: float
    stale_if_error: float

    @property
    def retain_for(self) -> float:
        """How long the backend must keep an entry for either use."""
        return self.ttl + self.stale_if_error


@dataclass(frozen=True, slots=True)
class CacheHit:
    """A cached value still within its system's stale-if-error window."""

    value: Any
    fetched_at: float
    fresh: bool


class SourceCache:
    """Cached source data by (system, kind, external id), judged against each system's policy."""

    def __init__(self, backend: CacheBackend, *, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.clock = clock

    async def lookup(
        self, keys: Sequence[CacheKey], policy: CachePolicy
    ) -> dict[CacheKey, CacheHit]:
        """Entries of `keys` young enough to serve fresh, or stale if the source fails."""
        now = self.clock()
        hits: dict[CacheKey, CacheHit] = {}
        for key, cached in (await self.backend.get_many(keys)).items():
            age = now - cached.fetched_at
            if age <= policy.retain_for:
                hits[key] = CacheHit(cached.value, cached.fetched_at, fresh=age < policy.ttl)
        return hits

    async def store(
        self, values: Mapping[CacheKey, Any], policy: CachePolicy, *, fetched_at: float
    ) -> None:
        """Remember `values` (fetched at `fetched_at`) for the policy's whole window."""
        if values and policy.retain_for > 0:
            entries = {key: CachedValue(value, fetched_at) for key, value in values.items()}
            await self.backend.set_many(entries, retain_for=policy.retain_for)

    async def forget(self, keys: Iterable[CacheKey]) -> None:
        """Drop `keys` at once (consent change, erasure)."""
        await self.backend.delete_many(list(keys))

    async def aclose(self) -> None:
        """Release the backend."""
        await self.backend.aclose()
