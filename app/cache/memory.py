"""The in-process cache backend: a bounded LRU of Python objects (no serialisation)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

from app.cache.backend import CachedValue, CacheKey


class MemoryCacheBackend:
    """Least-recently-used entries beyond `max_entries` are dropped; each expires on its own.

    Values are stored as given: source records are frozen dataclasses, so sharing them between
    requests is safe as long as nobody mutates the lists that hold them (nobody does).
    """

    def __init__(self, max_entries: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, CachedValue]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, CachedValue]:
        now = self._clock()
        found: dict[CacheKey, CachedValue] = {}
        for key in keys:
            entry = self._entries.get(key)
            if entry is None:
                continue
            expires_at, cached = entry
            if expires_at <= now:
                del self._entries[key]
                continue
            self._entries.move_to_end(key)
            found[key] = cached
        return found

    async def set_many(self, values: Mapping[CacheKey, CachedValue], *, retain_for: float) -> None:
        expires_at = self._clock() + retain_for
        for key, cached in values.items():
            self._entries[key] = (expires_at, cached)
            self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def delete_many(self, keys: Sequence[CacheKey]) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def aclose(self) -> None:
        self._entries.clear()
