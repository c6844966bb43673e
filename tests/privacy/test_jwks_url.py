"""RS256 keys from a JWKS URL: cached, refetched on rotation (rate-limited), failing closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import composition.asgi
from app.settings import Environment, Settings
from tests.conftest import BASE_URL, LIFESPAN_LIMITS, Gateway
from tests.privacy.test_authentication import (
    WHOAMI,
    WHOAMI_SCHEMA,
    _assert_unauthenticated,
    _bearer,
    _claims,
    _post,
)

JWKS_URL = "https://idp.example/.well-known/jwks.json"


@dataclass
class JwksServer:
    """The identity provider's JWKS endpoint, in-process: its keys, whether it is up, its load."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    status: int = 200
    body: bytes | None = None
    requests: int = 0

    def app(self) -> Starlette:
        async def jwks(_request: Request) -> Response:
            self.requests += 1
            if self.status != 200:
                return Response("unavailable", status_code=self.status)
            if self.body is not None:
                return Response(self.body, media_type="application/json")
            return JSONResponse({"keys": [self._jwk(kid, key) for kid, key in self.keys.items()]})

        return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])

    @staticmethod
    def _jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        jwk.update(kid=kid, alg="RS256", use="sig")
        return jwk

    def token(self, kid: str, key: rsa.RSAPrivateKey | None = None) -> str:
        signer = key or self.keys[kid]
        return jwt.encode(_claims(), signer, algorithm="RS256", headers={"kid": kid})


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_1() -> rsa.RSAPrivateKey:
    return _rsa()


@pytest.fixture(scope="module")
def key_2() -> rsa.RSAPrivateKey:
    return _rsa()


@pytest.fixture
def idp(key_1: rsa.RSAPrivateKey) -> JwksServer:
    return JwksServer(keys={"key-1": key_1})


@pytest.fixture
def jwks_gateway(
    monkeypatch: pytest.MonkeyPatch, database_url: str, idp: JwksServer
) -> Callable[..., AbstractAsyncContextManager[Gateway]]:
    """The real app serving a schema that echoes the principal, its JWKS URL on `idp`."""
    monkeypatch.setattr(composition.asgi, "build_schema", lambda **_: WHOAMI_SCHEMA)

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Gateway]:
        settings = Settings(
            database_url=database_url, log_json=False, jwt_jwks_url=JWKS_URL, **overrides
        )
        gateway_app = composition.asgi.create_app(
            settings, jwks_transport=httpx.ASGITransport(app=idp.app())
        )
        async with LifespanManager(gateway_app, **LIFESPAN_LIMITS) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                yield Gateway(app=gateway_app, client=client)

    return start


async def test_a_token_is_checked_against_the_jwks_url_and_the_keys_are_cached(
    jwks_gateway, idp, key_2
):
    # given
    token = idp.token("key-1")
    forged = idp.token("key-1", key_2)

    async with jwks_gateway() as gateway:
        # when
        responses = [await _post(gateway, WHOAMI, _bearer(token)) for _ in range(3)]
        refused = await _post(gateway, WHOAMI, _bearer(forged))

    # then: accepted, the key set fetched once, a token signed by another key refused
    for response in responses:
        assert response.status_code == 200, response.text
        assert response.json()["data"]["whoami"]["via"] == "jwt"
    assert idp.requests == 1
    _assert_unauthenticated(refused, forged)


async def test_a_rotated_key_is_fetched_when_a_token_names_an_unknown_kid(jwks_gateway, idp, key_2):
    async with jwks_gateway(jwt_jwks_min_refetch_seconds=0) as gateway:
        # given: the keys were fetched, then the provider rotated to a new key
        assert (await _post(gateway, WHOAMI, _bearer(idp.token("key-1")))).status_code == 200
        idp.keys["key-2"] = key_2

        # when
        response = await _post(gateway, WHOAMI, _bearer(idp.token("key-2")))

    # then
    assert response.status_code == 200, response.text
    assert idp.requests == 2


async def test_refetches_for_unknown_kids_are_rate_limited(jwks_gateway, idp, key_2):
    # given: tokens naming kids the provider never issued
    tokens = [idp.token(f"made-up-{n}", key_2) for n in range(5)]

    async with jwks_gateway(jwt_jwks_min_refetch_seconds=3600) as gateway:
        # when
        responses = [await _post(gateway, WHOAMI, _bearer(token)) for token in tokens]
        good = await _post(gateway, WHOAMI, _bearer(idp.token("key-1")))

    # then: each is refused, and the provider saw one fetch, not one per token
    for response, token in zip(responses, tokens, strict=True):
        _assert_unauthenticated(response, token)
    assert good.status_code == 200
    assert idp.requests == 1


@pytest.mark.parametrize(
    "outage",
    [{"status": 503}, {"status": 404}, {"body": b"<html>oops</html>"}, {"body": b'{"keys": []}'}],
    ids=["503", "404", "not-json", "no-keys"],
)
async def test_the_gateway_fails_closed_with_401_when_the_jwks_cannot_be_had(
    jwks_gateway, idp, outage
):
    # given: the endpoint is down or serves no usable key
    for name, value in outage.items():
        setattr(idp, name, value)
    token = idp.token("key-1")

    async with jwks_gateway(jwt_jwks_min_refetch_seconds=0) as gateway:
        # when
        refused = await _post(gateway, WHOAMI, _bearer(token))
        idp.status, idp.body = 200, None
        recovered = await _post(gateway, WHOAMI, _bearer(token))

    # then: 401 (never 500) while it is down, accepted again once it is back
    _assert_unauthenticated(refused, token)
    assert recovered.status_code == 200, recovered.text


async def test_keys_past_their_ttl_are_not_trusted_when_the_jwks_is_down(jwks_gateway, idp):
    # given: a TTL so short that every request needs a fresh key set
    token = idp.token("key-1")
    async with jwks_gateway(
        jwt_jwks_cache_ttl_seconds=1e-9, jwt_jwks_min_refetch_seconds=0
    ) as gateway:
        assert (await _post(gateway, WHOAMI, _bearer(token))).status_code == 200

        # when: the provider goes down
        idp.status = 503
        response = await _post(gateway, WHOAMI, _bearer(token))

    # then
    _assert_unauthenticated(response, token)


def test_a_jwks_url_and_a_jwks_file_together_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not both"):
        Settings(jwt_jwks_url=JWKS_URL, jwt_jwks_file=tmp_path / "jwks.json")


def test_a_plain_http_jwks_url_is_refused_in_production():
    with pytest.raises(ValueError, match="https"):
        Settings(
            environment=Environment.PRODUCTION,
            suppression_pepper="a-production-pepper-of-at-least-32-bytes",
            jwt_jwks_url="http://idp.example/jwks.json",
        )
