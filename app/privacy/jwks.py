"""RS256 signing keys from a JWKS: a local file, or a URL fetched through `connectors/http.py`.

The remote key set is cached for `ttl` seconds. A token naming a `kid` the cache does not know
triggers a refetch (the identity provider may have rotated its keys), but at most one fetch
per `min_refetch_interval` seconds, so a flood of tokens with made-up `kid`s cannot turn the
gateway into a load generator against the provider. Every failure fails closed: when the key
set cannot be had (endpoint down, garbage, no RS256 key), tokens are refused with
`UnauthenticatedError` (401), never a 500 and never accepted on old keys past their TTL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import jwt
import structlog
from jwt import PyJWK, PyJWKSet

from app.errors import UnauthenticatedError
from connectors.errors import ConnectorError
from connectors.http import DocumentClient

log = structlog.get_logger("c360.jwks")
Keys = dict[str | None, PyJWK]


class JwtConfigurationError(Exception):
    """The configured JWT keys cannot be used (unreadable JWKS file, no RS256 key in it)."""


def rs256_keys(key_set: PyJWKSet) -> Keys:
    """The RSA signing keys of a key set, by `kid`."""
    # Only RSA signing keys: a symmetric ("oct") key in a JWKS would reopen algorithm confusion.
    return {
        key.key_id: key
        for key in key_set
        if key.key_type == "RSA"
        and key.algorithm_name == "RS256"
        and key.public_key_use in (None, "sig")
    }


def pick(keys: Keys, kid: object) -> PyJWK | None:
    """The key a token's `kid` names; without a `kid`, only a lone key is a candidate."""
    if isinstance(kid, str):
        return keys.get(kid)
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    return None


class RemoteJwks:
    """The key set behind a JWKS URL, cached; one per process (built in the app lifespan)."""

    def __init__(
        self,
        url: str,
        client: DocumentClient,
        *,
        ttl: float,
        min_refetch_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._client = client
        self._ttl = ttl
        self._min_interval = min_refetch_interval
        self._clock = clock
        self._keys: Keys = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._ttl

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._min_interval

    async def _refresh(self, wanted_kid: object, *, expired: bool) -> bool:
        """Fetch the set unless another request just did (or the rate limit says not yet).

        True when the keys held now were fetched within their TTL.
        """
        async with self._lock:
            now = self._clock()
            if expired and self._fresh(now):
                return True  # refreshed by a concurrent request while this one waited
            if not expired and pick(self._keys, wanted_kid) is not None:
                return True
            if not self._may_fetch(now):
                return False
            self._attempted_at = now
            try:
                body: Any = await self._client.get_json(self.url)
                keys = rs256_keys(PyJWKSet.from_dict(body))
            except (ConnectorError, jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
                log.warning("JWKS fetch failed", error=type(exc).__name__)
                return False
            if not keys:
                log.warning("JWKS holds no RS256 signing key")
                return False
            self._keys, self._fetched_at = keys, now
            return True

    async def key_for(self, kid: object) -> PyJWK:
        """The signing key for a token's `kid`, or `UnauthenticatedError` (fail closed)."""
        if not self._fresh(self._clock()) and not await self._refresh(kid, expired=True):
            raise UnauthenticatedError("the bearer token's signing keys are unavailable")
        key = pick(self._keys, kid)
        if key is None:
            await self._refresh(kid, expired=False)
            key = pick(self._keys, kid)
        if key is None:
            raise UnauthenticatedError("the bearer token's signing key is unknown")
        return key

    async def aclose(self) -> None:
        """Close the HTTP pool."""
        await self._client.aclose()
