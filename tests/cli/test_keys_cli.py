"""`c360 keys` (create, list, revoke) and the demo keys, against the test databases."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner, Result

from app.errors import UnauthenticatedError
from app.privacy.api_keys import ApiKeyService
from app.privacy.keys_cli import create_demo_keys
from app.privacy.principals import Role
from app.store.models import Customer
from composition.cli import app
from tests.graphql_client import assert_no_errors, gql

KEY = re.compile(r"^c360_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
COUNT = "{ customers(first: 1) { totalCount } }"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    # A wide terminal, so that rich does not fold the table's cells.
    monkeypatch.setenv("COLUMNS", "200")


async def _keys(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it cannot run on the test's loop.
    return await asyncio.to_thread(runner.invoke, app, ["keys", *args])


async def _created_key(*args: str) -> str:
    result = await _keys("create", *args)
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert KEY.match(key)
    return key


async def _add_customer(db) -> str:
    customer = Customer(given_name="Jane", family_name="Doe")
    async with db.transaction() as session:
        session.add(customer)
    return customer.id


async def test_a_created_key_opens_the_gateway(anonymous_client):
    key = await _created_key("--name", "crm", "--role", "support_agent", "--purpose", "support")

    body = await gql(anonymous_client, COUNT, headers={"X-API-Key": key})

    assert_no_errors(body)


async def test_list_shows_the_keys_but_never_their_secret_or_hash(db):
    key = await _created_key("--name", "widget", "--role", "personalization", "--purpose",
                             "personalization")  # fmt: skip
    key_id = key.split("_")[1]
    (row,) = [row for row in await ApiKeyService(db).list_keys() if row.name == "widget"]

    result = await _keys("list")

    assert result.exit_code == 0, result.output
    assert key_id in result.stdout
    assert "widget" in result.stdout
    assert "personalization" in result.stdout
    assert key.split("_", 2)[2] not in result.output
    assert row.hash not in result.output


async def test_revoke_stops_the_key(db):
    key = await _created_key("--name", "old", "--role", "analyst", "--purpose", "analytics")
    uncached = ApiKeyService(db, cache_ttl_seconds=0)
    assert (await uncached.authenticate(key)).role is Role.ANALYST

    result = await _keys("revoke", key.split("_")[1])

    assert result.exit_code == 0, result.output
    with pytest.raises(UnauthenticatedError, match="revoked"):
        await uncached.authenticate(key)


async def test_revoking_an_unknown_key_fails():
    result = await _keys("revoke", "0123456789abcdef")

    assert result.exit_code == 1
    assert "no API key" in result.output


async def test_a_customer_key_acts_as_its_subject(db):
    customer_id = await _add_customer(db)

    key = await _created_key(
        "--name", "jane", "--role", "customer", "--purpose", "self_service", "--subject",
        customer_id,
    )  # fmt: skip

    assert (await ApiKeyService(db).authenticate(key)).subject == customer_id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "root", "--purpose", "support"], "root"),
        (["--role", "admin", "--purpose", "fun"], "fun"),
        (["--role", "customer", "--purpose", "self_service"], "subject"),
        (["--role", "customer", "--purpose", "self_service", "--subject", "nobody"], "customer"),
        (["--role", "admin", "--purpose", "administration", "--subject", "x"], "subject"),
    ],
    ids=["bad-role", "bad-purpose", "customer-without-subject", "unknown-subject", "admin-subject"],
)
async def test_bad_input_is_a_usage_error_and_creates_nothing(db, args, message):
    result = await _keys("create", "--name", "bad", *args)

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "bad" not in {row.name for row in await ApiKeyService(db).list_keys()}


async def test_demo_keys_cover_every_role_and_replace_earlier_ones(db):
    customer_id = await _add_customer(db)
    service = ApiKeyService(db, cache_ttl_seconds=0)
    first = await create_demo_keys(db)

    second = await create_demo_keys(db)

    assert set(second) == {role.value for role in Role}
    assert (await service.authenticate(second["customer"])).subject == customer_id
    for role, key in second.items():
        assert (await service.authenticate(key)).role == role
    for key in first.values():
        with pytest.raises(UnauthenticatedError):
            await service.authenticate(key)


async def test_demo_keys_skip_the_customer_role_on_an_empty_store(db):
    keys = await create_demo_keys(db)

    assert set(keys) == {role.value for role in Role} - {"customer"}
