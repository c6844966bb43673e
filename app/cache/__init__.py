"""The cache of source data: an in-process LRU by default, Redis when `C360_CACHE_URL` is set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from app.cache.backend import CacheBackend, CachedValue, CacheKey
from app.cache.memory import MemoryCacheBackend
from app.cache.redis_store import RedisCacheBackend
from app.cache.source_cache import CacheHit, CachePolicy, SourceCache
from app.settings import Settings

__all__ = [
    "CacheBackend",
    "CacheHit",
    "CacheKey",
    "CachePolicy",
    "CachedValue",
    "MemoryCacheBackend",
    "RedisCacheBackend",
    "SourceCache",
    "open_source_cache",
]


def open_source_cache(settings: Settings, codecs: Mapping[str, TypeAdapter[Any]]) -> SourceCache:
    """The cache the settings ask for; `codecs` encode each data kind for a shared backend."""
    backend: CacheBackend
    if settings.cache_url:
        backend = RedisCacheBackend.from_url(settings.cache_url, codecs)
    else:
        backend = MemoryCacheBackend(settings.cache_max_entries)
    return SourceCache(backend)
