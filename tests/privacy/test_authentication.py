"""Who is calling: API keys, JWT bearer tokens and the 401 gate, all driven over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import jwt
import pytest
import strawberry
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import text
from strawberry.types import Info

import composition.asgi
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.models import Customer
from tests.conftest import Gateway, running_gateway
from tests.graphql_client import assert_no_errors, gql

HS256_SECRET = "a-test-secret-that-is-at-least-32-bytes-long"
OTHER_SECRET = "another-secret-that-is-also-32-bytes-or-more"
CUSTOMERS = "{ customers(first: 1) { totalCount } }"
WHOAMI = "{ whoami { id name role purpose subject via } }"


@strawberry.type
class WhoAmI:
    id: str
    name: str
    role: str
    purpose: str
    subject: str | None
    via: str


@strawberry.type
class WhoAmIQuery:
    @strawberry.field
    def whoami(self, info: Info) -> WhoAmI:
        principal = info.context.principal
        return WhoAmI(
            id=principal.id,
            name=principal.name,
            role=principal.role.value,
            purpose=principal.purpose.value,
            subject=principal.subject,
            via=principal.via,
        )


WHOAMI_SCHEMA = strawberry.Schema(query=WhoAmIQuery)
GatewayFactory = Callable[..., AbstractAsyncContextManager[Gateway]]


@pytest.fixture
def whoami_gateway(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Callable[..., AbstractAsyncContextManager[Gateway]]:
    """The real app (middleware, context) serving a tiny schema that echoes the principal."""
    monkeypatch.setattr(composition.asgi, "build_schema", lambda **_: WHOAMI_SCHEMA)

    def start(**overrides: Any) -> AbstractAsyncContextManager[Gateway]:
        settings = Settings(database_url=database_url, log_json=False, **overrides)
        return running_gateway(settings)

    return start


@pytest.fixture
async def whoami(whoami_gateway: GatewayFactory) -> AsyncIterator[Gateway]:
    async with whoami_gateway() as gateway:
        yield gateway


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    claims = {
        "sub": "agent-7",
        "name": "Agent Seven",
        # A day ahead: some tokens are built when the module is collected, and the suite may
        # reach them many minutes later; only the "expired" case must be expired.
        "exp": int(time.time()) + 86_400,
        "role": "support_agent",
        "purpose": "support",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _hand_signed(header: dict[str, Any], claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built by hand (PyJWT refuses to make the malicious ones)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if hmac_key is None:
        return f"{signing_input}."
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _post(gateway: Gateway, query: str, headers: dict[str, str]) -> Any:
    async with gateway.new_client(headers) as client:
        return await client.post("/graphql", json={"query": query})


def _assert_unauthenticated(response: Any, credential: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    if credential is not None:
        assert credential not in response.text


async def _add_customer(gateway: Gateway) -> str:
    customer = Customer(given_name="Jane", family_name="Doe")
    async with gateway.db.transaction() as session:
        session.add(customer)
    return customer.id


# --- the gate -----------------------------------------------------------------------------------


async def test_a_graphql_post_without_credentials_is_401(anonymous_client):
    response = await anonymous_client.post("/graphql", json={"query": CUSTOMERS})

    _assert_unauthenticated(response)
    assert "data" not in response.json()


async def test_a_graphql_get_without_credentials_is_401(anonymous_client):
    response = await anonymous_client.get("/graphql", params={"query": CUSTOMERS})

    _assert_unauthenticated(response)


async def test_the_default_client_is_an_admin(client):
    assert_no_errors(await gql(client, CUSTOMERS))
    assert (await client.get("/metrics")).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_need_no_credentials(anonymous_client, path):
    response = await anonymous_client.get(path)

    assert response.status_code == 200


async def test_metrics_are_for_admins_only(gateway, anonymous_client, principal_headers):
    analyst = await principal_headers(Role.ANALYST, Purpose.ANALYTICS)

    unauthenticated = await anonymous_client.get("/metrics")
    forbidden = await anonymous_client.get("/metrics", headers=analyst)
    allowed = await gateway.client.get("/metrics")

    _assert_unauthenticated(unauthenticated)
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert allowed.status_code == 200
    assert "# TYPE" in allowed.text


# --- API keys -----------------------------------------------------------------------------------


async def test_a_wrong_secret_for_a_real_key_id_is_401(gateway, principal_headers):
    key = (await principal_headers(Role.ANALYST, Purpose.ANALYTICS))["x-api-key"]
    key_id = key.split("_")[1]
    forged = f"c360_{key_id}_{'A' * 43}"

    response = await _post(gateway, CUSTOMERS, {"X-API-Key": forged})

    _assert_unauthenticated(response, forged)


@pytest.mark.parametrize(
    "key", ["nope", "c360_", "c360_0123456789abcdef_short", "Bearer c360_x", "c360_" + "x" * 80]
)
async def test_a_malformed_key_is_401_and_not_echoed(gateway, key):
    response = await _post(gateway, CUSTOMERS, {"X-API-Key": key})

    _assert_unauthenticated(response, key if len(key) > 6 else None)


async def test_a_revoked_key_is_refused_at_once_even_though_it_was_cached(
    gateway, principal_headers
):
    headers = await principal_headers(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert (await _post(gateway, CUSTOMERS, headers)).status_code == 200
    key_id = headers["x-api-key"].split("_")[1]

    await gateway.app.state.authenticator.api_keys.revoke(key_id)
    response = await _post(gateway, CUSTOMERS, headers)

    _assert_unauthenticated(response, headers["x-api-key"])
    assert "revoked" in response.json()["errors"][0]["message"]


async def test_a_key_is_accepted_as_a_bearer_credential(whoami, principal_headers):
    key = (await principal_headers(Role.STEWARD, Purpose.STEWARDSHIP))["x-api-key"]

    response = await _post(whoami, WHOAMI, _bearer(key))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["whoami"]["role"] == "steward"


async def test_two_credentials_at_once_are_refused(gateway, principal_headers):
    headers = await principal_headers(Role.ANALYST, Purpose.ANALYTICS)
    both = {**headers, "Authorization": f"Bearer {headers['x-api-key']}"}

    _assert_unauthenticated(await _post(gateway, CUSTOMERS, both))


async def test_a_non_bearer_authorization_scheme_is_refused(gateway, principal_headers):
    key = (await principal_headers(Role.ANALYST, Purpose.ANALYTICS))["x-api-key"]

    _assert_unauthenticated(await _post(gateway, CUSTOMERS, {"Authorization": f"Basic {key}"}))


async def test_the_key_principal_reaches_the_graphql_context(whoami):
    # given: a customer and a self-service key acting as that customer
    customer_id = await _add_customer(whoami)
    api_keys = whoami.app.state.authenticator.api_keys
    created = await api_keys.create(
        name="jane's app", role=Role.CUSTOMER, purpose=Purpose.SELF_SERVICE, subject=customer_id
    )

    # when
    response = await _post(whoami, WHOAMI, {"X-API-Key": created.key})

    # then
    assert response.status_code == 200, response.text
    assert response.json()["data"]["whoami"] == {
        "id": created.record.id,
        "name": "jane's app",
        "role": "customer",
        "purpose": "self_service",
        "subject": customer_id,
        "via": "api_key",
    }


async def test_only_the_keys_hash_is_stored(gateway, principal_headers):
    key = (await principal_headers(Role.ADMIN, Purpose.ADMINISTRATION))["x-api-key"]
    key_id = key.split("_")[1]

    async with gateway.db.session() as session:
        row = (
            (await session.execute(text("SELECT * FROM api_key WHERE id = :id"), {"id": key_id}))
            .mappings()
            .one()
        )

    assert row["hash"] == hashlib.sha256(key.encode()).hexdigest()
    secret = key.split("_", 2)[2]
    assert not any(secret in str(value) for value in row.values())


# --- JWT ----------------------------------------------------------------------------------------


async def test_a_valid_hs256_token_gives_its_principal(whoami_gateway):
    token = jwt.encode(_claims(), HS256_SECRET, algorithm="HS256")

    async with whoami_gateway(jwt_hs256_secret=HS256_SECRET) as gateway:
        response = await _post(gateway, WHOAMI, _bearer(token))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["whoami"] == {
        "id": "agent-7",
        "name": "Agent Seven",
        "role": "support_agent",
        "purpose": "support",
        "subject": None,
        "via": "jwt",
    }


async def test_a_customer_token_carries_its_customer_id(whoami_gateway):
    token = jwt.encode(
        _claims(role="customer", purpose="self_service", cid="cust-1"),
        HS256_SECRET,
        algorithm="HS256",
    )

    async with whoami_gateway(jwt_hs256_secret=HS256_SECRET, jwt_customer_claim="cid") as gateway:
        response = await _post(gateway, WHOAMI, _bearer(token))

    assert response.json()["data"]["whoami"]["subject"] == "cust-1"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (jwt.encode(_claims(exp=int(time.time()) - 600), HS256_SECRET, "HS256"), "expired"),
        (jwt.encode(_claims(), OTHER_SECRET, "HS256"), "signature"),
        (_hand_signed({"alg": "none", "typ": "JWT"}, _claims(), None), "algorithm"),
        (_hand_signed({"alg": "HS256", "typ": "JWT"}, _claims(), b""), "signature"),
        (jwt.encode(_claims(role=None), HS256_SECRET, "HS256"), "role"),
        (jwt.encode(_claims(role="root"), HS256_SECRET, "HS256"), "role"),
        (jwt.encode(_claims(purpose=None), HS256_SECRET, "HS256"), "purpose"),
        (jwt.encode(_claims(exp=None), HS256_SECRET, "HS256"), "exp"),
        (jwt.encode(_claims(sub=None), HS256_SECRET, "HS256"), "sub"),
        (jwt.encode(_claims(role="customer", purpose="self_service"), HS256_SECRET, "HS256"),
         "customer_id"),
        ("not.a.jwt", "malformed"),
    ],
    ids=[
        "expired", "bad-signature", "alg-none", "empty-key", "no-role", "unknown-role",
        "no-purpose", "no-exp", "no-sub", "customer-without-id", "garbage",
    ],
)  # fmt: skip
async def test_a_bad_hs256_token_is_401(whoami_gateway, token, message):
    async with whoami_gateway(jwt_hs256_secret=HS256_SECRET) as gateway:
        response = await _post(gateway, WHOAMI, _bearer(token))

    _assert_unauthenticated(response, token)
    assert message in response.json()["errors"][0]["message"]


async def test_issuer_and_audience_are_checked_when_configured(whoami_gateway):
    good = jwt.encode(_claims(iss="https://idp", aud="c360"), HS256_SECRET, algorithm="HS256")
    wrong_audience = jwt.encode(
        _claims(iss="https://idp", aud="crm"), HS256_SECRET, algorithm="HS256"
    )
    wrong_issuer = jwt.encode(_claims(iss="https://evil", aud="c360"), HS256_SECRET, "HS256")

    async with whoami_gateway(
        jwt_hs256_secret=HS256_SECRET, jwt_issuer="https://idp", jwt_audience="c360"
    ) as gateway:
        accepted = await _post(gateway, WHOAMI, _bearer(good))
        audience = await _post(gateway, WHOAMI, _bearer(wrong_audience))
        issuer = await _post(gateway, WHOAMI, _bearer(wrong_issuer))

    assert accepted.status_code == 200, accepted.text
    _assert_unauthenticated(audience)
    _assert_unauthenticated(issuer)


async def test_bearer_tokens_are_refused_when_no_jwt_key_is_configured(whoami):
    token = jwt.encode(_claims(), HS256_SECRET, algorithm="HS256")

    _assert_unauthenticated(await _post(whoami, WHOAMI, _bearer(token)), token)


def test_a_short_hs256_secret_is_refused_at_start_up():
    with pytest.raises(ValueError, match="32 bytes"):
        Settings(jwt_hs256_secret="short")


@pytest.fixture
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_file(tmp_path, rsa_key):
    jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    jwk.update(kid="key-1", alg="RS256", use="sig")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return path


async def test_an_rs256_token_is_checked_against_the_jwks_file(whoami_gateway, jwks_file, rsa_key):
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "key-1"})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": "key-1"})
    unknown_kid = jwt.encode(_claims(), rsa_key, algorithm="RS256", headers={"kid": "key-2"})

    async with whoami_gateway(jwt_jwks_file=jwks_file) as gateway:
        accepted = await _post(gateway, WHOAMI, _bearer(token))
        forged_response = await _post(gateway, WHOAMI, _bearer(forged))
        unknown_response = await _post(gateway, WHOAMI, _bearer(unknown_kid))

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["whoami"]["via"] == "jwt"
    _assert_unauthenticated(forged_response, forged)
    _assert_unauthenticated(unknown_response, unknown_kid)


async def test_an_hs256_token_keyed_with_the_rsa_public_key_is_refused(
    whoami_gateway, jwks_file, rsa_key
):
    # The classic algorithm confusion: HMAC "signed" with the public key the server holds.
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = _hand_signed({"alg": "HS256", "typ": "JWT", "kid": "key-1"}, _claims(), public_pem)

    async with whoami_gateway(jwt_jwks_file=jwks_file) as gateway:
        rs256_only = await _post(gateway, WHOAMI, _bearer(token))
    async with whoami_gateway(jwt_jwks_file=jwks_file, jwt_hs256_secret=HS256_SECRET) as gateway:
        both = await _post(gateway, WHOAMI, _bearer(token))

    _assert_unauthenticated(rs256_only, token)
    _assert_unauthenticated(both, token)


async def test_graphiql_page_loads_without_a_key_in_development_but_queries_do_not(
    anonymous_client,
):
    # given no credentials at all
    # when the browser loads the IDE page, then runs a query from it
    page = await anonymous_client.get("/graphql", headers={"accept": "text/html"})
    query = await anonymous_client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": "text/html"}
    )
    # then only the page itself is served
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert query.status_code == 401
