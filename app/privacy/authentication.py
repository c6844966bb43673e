"""Who is calling: turns a request's credentials into a `Principal`.

An API key comes as `X-API-Key: <key>` or `Authorization: Bearer c360_...`; any other bearer
credential is a JWT. Failures raise `UnauthenticatedError` with a message that never repeats the
credential.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.datastructures import Headers

from app.errors import UnauthenticatedError
from app.privacy.api_keys import KEY_PREFIX, ApiKeyService
from app.privacy.jwt_tokens import JwtVerifier
from app.privacy.principals import Principal
from app.settings import Settings
from app.store.db import Database

API_KEY_HEADER = "x-api-key"


class Authenticator:
    """One per process (built in the app lifespan): API keys first, JWTs for other bearers."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        jwks_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_keys = ApiKeyService(db, cache_ttl_seconds=settings.api_key_cache_ttl_seconds)
        self.tokens = JwtVerifier(settings, jwks_transport=jwks_transport)

    async def aclose(self) -> None:
        """Release what the verifiers hold (the JWKS client)."""
        await self.tokens.aclose()

    async def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The principal behind the request's credentials, or `UnauthenticatedError`."""
        if not isinstance(headers, Headers):
            headers = Headers(headers=dict(headers))
        api_key = headers.get(API_KEY_HEADER)
        authorization = headers.get("authorization")
        if api_key is not None and authorization is not None:
            # Two credentials could name two principals; refuse rather than pick one.
            raise UnauthenticatedError("send either X-API-Key or Authorization, not both")
        if api_key is not None:
            return await self.api_keys.authenticate(api_key.strip())
        if authorization is None:
            raise UnauthenticatedError(
                "authentication required: send an API key (X-API-Key) or a bearer token"
            )
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise UnauthenticatedError("the Authorization header must be `Bearer <credential>`")
        if credential.startswith(KEY_PREFIX):
            return await self.api_keys.authenticate(credential)
        if not self.tokens.enabled:
            raise UnauthenticatedError("bearer tokens are not accepted here; use an API key")
        return await self.tokens.verify(credential)
