"""`c360 webhooks`: create, list, rotate, disable, dead-letters, replay, against the store the
gateway reads (checked through GraphQL)."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner, Result

from app.store.models import WebhookDelivery
from composition.cli import app
from tests.conftest import Gateway
from tests.graphql_client import assert_no_errors, create_customer, gql

ENDPOINTS = "{ webhookEndpoints { id url kinds purpose enabled } }"
DEAD_LETTERS = "{ deadLetters { id kind attempts } }"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")


async def _webhooks(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it cannot run on the test's loop.
    return await asyncio.to_thread(runner.invoke, app, ["webhooks", *args])


async def test_endpoints_are_managed_from_the_command_line(gateway: Gateway):
    # when
    created = await _webhooks(
        "create", "https://crm.example/hook", "--purpose", "marketing", "--kind", "ERASED"
    )
    secret = created.stdout.strip().splitlines()[-1]
    (endpoint,) = assert_no_errors(await gql(gateway.client, ENDPOINTS))["webhookEndpoints"]
    listed = await _webhooks("list")
    rotated = await _webhooks("rotate", endpoint["id"])
    disabled = await _webhooks("disable", endpoint["id"])
    refused = await _webhooks("create", "ftp://x", "--purpose", "support")
    (after,) = assert_no_errors(await gql(gateway.client, ENDPOINTS))["webhookEndpoints"]

    # then
    assert created.exit_code == 0 and secret.startswith("whsec_")
    assert endpoint["url"] == "https://crm.example/hook"
    assert (endpoint["kinds"], endpoint["purpose"]) == (["ERASED"], "marketing")
    assert endpoint["id"] in listed.stdout and secret not in listed.stdout
    assert rotated.exit_code == 0
    assert rotated.stdout.strip().startswith("whsec_") and rotated.stdout.strip() != secret
    assert disabled.exit_code == 0 and after["enabled"] is False
    assert refused.exit_code == 1


async def test_a_dead_letter_is_listed_and_replayed(gateway: Gateway):
    # given a dead letter (arranged in the store with the sender stopped: its path has its
    # own tests)
    await gateway.app.state.webhooks.stop()
    await _webhooks("create", "https://crm.example/hook", "--purpose", "support")
    await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    async with gateway.db.transaction() as session:
        delivery = await session.get(WebhookDelivery, 1)
        assert delivery is not None
        delivery.state, delivery.attempts, delivery.last_error = "dead", 5, "HTTP 503"

    # when
    listed = await _webhooks("dead-letters")
    replayed = await _webhooks("replay", "1")
    missing = await _webhooks("replay", "999")
    letters = assert_no_errors(await gql(gateway.client, DEAD_LETTERS))["deadLetters"]

    # then
    assert listed.exit_code == 0 and "503" in listed.stdout
    assert replayed.exit_code == 0 and letters == []
    assert missing.exit_code == 1
