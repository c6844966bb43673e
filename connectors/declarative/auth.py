"""Credentials of a described system: static headers, or an OAuth 2 client-credentials flow.

Bearer, basic and API-key auth are fixed headers built once. OAuth client credentials is an
`httpx.Auth` flow on the system's own client, so the token request shares the call's budget,
retries, in-flight slot and metrics: the token is fetched when missing or about to expire,
and fetched again once when the API answers 401 with a token it had accepted before.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from urllib.parse import quote

import httpx
import orjson

from connectors.config import ConnectorConfigError, ConnectorSettings, resolve_token
from connectors.declarative.config import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    OAuth2ClientCredentials,
    RestDescription,
)
from connectors.errors import (
    BadResponseError,
    ConnectorError,
    RateLimitedError,
    RequestRejectedError,
    SourceDownError,
    UnauthorizedError,
)
from connectors.http import parse_retry_after


def _env(settings: ConnectorSettings, name: str, environ: Mapping[str, str]) -> str:
    value = environ.get(name, "")
    if not value.strip():
        raise ConnectorConfigError(f"{settings.system}: environment variable {name} is not set")
    return value


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def credentials(
    settings: ConnectorSettings, environ: Mapping[str, str]
) -> tuple[dict[str, str], httpx.Auth | None]:
    """The fixed headers, or the auth flow, of a described system (secrets from `environ`)."""
    description = settings.mapping
    assert isinstance(description, RestDescription)
    secret = resolve_token(settings, environ)
    auth = description.auth
    if isinstance(auth, BearerAuth):
        return {"Authorization": f"Bearer {secret}"}, None
    if isinstance(auth, BasicAuth):
        user = auth.username if auth.username is not None else ""
        if auth.username_env is not None:
            user = _env(settings, auth.username_env, environ)
        return {"Authorization": _basic(user, secret)}, None
    if isinstance(auth, ApiKeyAuth):
        return {auth.header: f"{auth.prefix}{secret}"}, None
    assert isinstance(auth, OAuth2ClientCredentials)
    client_id = _env(settings, auth.client_id_env, environ)
    return {}, ClientCredentialsAuth(settings.system, auth, client_id, secret)


class ClientCredentialsAuth(httpx.Auth):
    """OAuth 2 client credentials (RFC 6749 4.4) with a cached, refreshed access token."""

    def __init__(
        self,
        system: str,
        config: OAuth2ClientCredentials,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self.config = config
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._token: str | None = None
        self._expires_at = float("inf")

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at - (
            self.config.refresh_margin
        )

    def _token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self.config.scope:
            form["scope"] = self.config.scope
        if self.config.audience:
            form["audience"] = self.config.audience
        headers = {"Accept": "application/json"}
        if self.config.client_auth == "basic":
            # RFC 6749 2.3.1: id and secret are form-urlencoded before basic encoding.
            headers["Authorization"] = _basic(
                quote(self._client_id, safe=""), quote(self._client_secret, safe="")
            )
        else:
            form |= {"client_id": self._client_id, "client_secret": self._client_secret}
        return httpx.Request("POST", self.config.token_url, data=form, headers=headers)

    def _store(self, response: httpx.Response) -> None:
        """Keep the token of a token response, or raise what its refusal means."""
        code = response.status_code
        if code != 200:
            raise _token_error(self.system, response)
        try:
            body = orjson.loads(response.content)
            token = body["access_token"]
            expires_in = body.get("expires_in")
            if not isinstance(token, str) or not token:
                raise TypeError("access_token")
            lifetime = float(expires_in) if expires_in is not None else float("inf")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise BadResponseError(self.system, "token endpoint: unexpected token shape") from None
        self._token = token
        self._expires_at = self._clock() + lifetime

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._fresh():
            token_response = yield self._token_request()
            self._store(await _read(token_response))
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code != 401:
            return
        if self._token == used:  # nobody refreshed it meanwhile: this token is dead
            token_response = yield self._token_request()
            self._store(await _read(token_response))
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


async def _read(response: httpx.Response) -> httpx.Response:
    """The token response with its body read (an overridden async flow must read it)."""
    await response.aread()
    return response


def _token_error(system: str, response: httpx.Response) -> ConnectorError:
    code = response.status_code
    message = f"token endpoint: HTTP {code}"
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(system, message, retry_after=retry_after)
    if code in (400, 401, 403):  # RFC 6749 5.2: invalid_client is a 400 or a 401
        return UnauthorizedError(system, message)
    if code >= 500:
        return SourceDownError(system, message, http_status=code)
    return RequestRejectedError(system, message, http_status=code)
