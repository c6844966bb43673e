"""The shared cache backend: Redis (`redis.asyncio`), so every gateway replica sees one cache.

Values are encoded as JSON through a pydantic `TypeAdapter` per data kind (never pickle: a
value read back from a shared store must not be able to run code). Read and write errors
are logged and become misses and dropped writes (the sources are still there to ask); delete
errors are raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import structlog
from pydantic import TypeAdapter, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.cache.backend import KEY_PREFIX, CachedValue, CacheKey

log = structlog.get_logger("c360.cache")


class RedisCacheBackend:
    """Stores `{"at": fetched_at, "v": value}` JSON per key, expiring in Redis."""

    def __init__(
        self, client: Redis, codecs: Mapping[str, TypeAdapter[Any]], *, prefix: str = KEY_PREFIX
    ) -> None:
        self._client = client
        self._codecs = codecs
        self._prefix = prefix

    @classmethod
    def from_url(
        cls, url: str, codecs: Mapping[str, TypeAdapter[Any]], *, prefix: str = KEY_PREFIX
    ) -> RedisCacheBackend:
        """A backend over a new connection pool to `url`; `prefix` namespaces its keys."""
        client = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(client, codecs, prefix=prefix)

    def _name(self, key: CacheKey) -> str:
        return f"{self._prefix}:{key.system}:{key.kind}:{key.external_id}"

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, CachedValue]:
        if not keys:
            return {}
        try:
            raw = await self._client.mget([self._name(key) for key in keys])
        except RedisError as exc:
            log.warning("cache read failed", error=type(exc).__name__)
            return {}
        found: dict[CacheKey, CachedValue] = {}
        for key, blob in zip(keys, raw, strict=True):
            if blob is None:
                continue
            try:
                envelope = orjson.loads(blob)
                value = self._codecs[key.kind].validate_python(envelope["v"])
                found[key] = CachedValue(value, float(envelope["at"]))
            except (orjson.JSONDecodeError, ValidationError, KeyError, TypeError, ValueError):
                # An entry written by another version of the gateway: treat it as a miss.
                continue
        return found

    async def set_many(self, values: Mapping[CacheKey, CachedValue], *, retain_for: float) -> None:
        if not values or retain_for <= 0:
            return
        milliseconds = max(1, int(retain_for * 1000))
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for key, cached in values.items():
                    encoded = self._codecs[key.kind].dump_python(cached.value, mode="json")
                    pipe.set(
                        self._name(key),
                        orjson.dumps({"at": cached.fetched_at, "v": encoded}),
                        px=milliseconds,
                    )
                await pipe.execute()
        except RedisError as exc:
            log.warning("cache write failed", error=type(exc).__name__)

    async def delete_many(self, keys: Sequence[CacheKey]) -> None:
        # Not swallowed: forgetting a customer's data (erasure) must not fail silently.
        if keys:
            await self._client.delete(*[self._name(key) for key in keys])

    async def aclose(self) -> None:
        await self._client.aclose()
