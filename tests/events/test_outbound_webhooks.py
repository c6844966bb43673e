"""Outbound webhooks through the public interface: signed (Standard Webhooks), in order per
customer, retried then dead-lettered, replayable, consent by purpose, resumed after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from app.events.webhook_delivery import DELIVERED, WITHHELD
from app.events.webhook_endpoints import PENDING
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.models import WebhookDelivery
from composition.asgi import create_app
from tests.conftest import BASE_URL, LIFESPAN_LIMITS, Gateway
from tests.events.webhook_receiver import WAIT, Receiver
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id

CREATE = """
mutation($url: String!, $purpose: String!, $kinds: [CustomerEventKind!]) {
  createWebhookEndpoint(url: $url, purpose: $purpose, kinds: $kinds) {
    secret endpoint { id url kinds purpose enabled }
  }
}
"""
DEAD_LETTERS = "{ deadLetters { id eventId kind customerId attempts lastError } }"
REPLAY = "mutation($id: Int!) { replayDeadLetter(id: $id) }"
UPDATE = """
mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
CONSENT = """
mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""


@asynccontextmanager
async def gateway_with(settings: Settings, receiver: Receiver) -> AsyncIterator[Gateway]:
    app = create_app(settings, webhook_transport=httpx.ASGITransport(app=receiver.app))
    async with LifespanManager(app, **LIFESPAN_LIMITS) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            gateway = Gateway(app=app, client=client)
            client.headers.update(await gateway.headers_for(Role.ADMIN, Purpose.ADMINISTRATION))
            yield gateway


def _settings(database_url: str, **overrides: Any) -> Settings:
    values = {"events_poll_seconds": 0.05, "outbound_webhook_first_retry_seconds": 0.05}
    return Settings(database_url=database_url, **{**values, **overrides})


async def _endpoint(gateway: Gateway, purpose: str = "support", kinds=None) -> str:
    variables = {"url": "http://receiver/hook", "purpose": purpose, "kinds": kinds}
    created = assert_no_errors(await gql(gateway.client, CREATE, variables))
    return created["createWebhookEndpoint"]["secret"]


async def _update(gateway: Gateway, customer: dict, **fields: Any) -> dict:
    variables = {"input": {"id": customer["id"], "version": customer["version"], **fields}}
    body = assert_no_errors(await gql(gateway.client, UPDATE, variables))
    return {"id": customer["id"], **body["updateCustomer"]}


async def _settled_deliveries(gateway: Gateway) -> set[tuple[str, str]]:
    """Once none is pending any more: each delivery's customer and state."""
    async with asyncio.timeout(WAIT):
        while True:
            async with gateway.db.session() as session:
                rows = await session.execute(
                    select(WebhookDelivery.customer_id, WebhookDelivery.state)
                )
                states = {(customer, state) for customer, state in rows}
            if all(state != PENDING for _, state in states):
                return states
            await asyncio.sleep(0.02)


async def test_changes_are_delivered_signed_and_in_order_per_customer(database_url: str):
    receiver = Receiver()
    async with gateway_with(_settings(database_url), receiver) as gateway:
        # given an endpoint for profile changes
        secret = await _endpoint(gateway, kinds=["PROFILE_CHANGED"])

        # when two customers are created and one changed twice
        jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
        john = await create_customer(gateway.client, givenName="John", familyName="Roe")
        jane = await _update(gateway, jane, segment="a")
        await _update(gateway, jane, locale="en-GB")
        await receiver.wait_for(4)

    # then each arrives once, verified with the endpoint's secret, Jane's in commit order
    accepted = receiver.accepted(secret)
    of_jane = [p["data"]["changed"] for p in accepted if p["data"]["customerId"] == jane["id"]]
    assert of_jane == [["family_name", "given_name"], ["segment"], ["locale"]]
    assert [p["data"]["customerId"] for p in accepted].count(john["id"]) == 1
    assert {p["type"] for p in accepted} == {"customer.profile_changed"}
    assert len(receiver.received) == 4


async def test_a_receiver_that_is_down_gets_retries_then_a_dead_letter(database_url: str):
    receiver = Receiver()
    receiver.status = 503
    settings = _settings(database_url, outbound_webhook_retry_window_seconds=0.3)
    async with gateway_with(settings, receiver) as gateway:
        # given an endpoint that is down
        secret = await _endpoint(gateway)

        # when a customer is created
        await create_customer(gateway.client, givenName="Jane", familyName="Doe")
        async with asyncio.timeout(WAIT):
            while not (
                letters := assert_no_errors(await gql(gateway.client, DEAD_LETTERS))["deadLetters"]
            ):
                await asyncio.sleep(0.05)

        # then it was tried more than once, then kept; a replay once it is up delivers it
        (letter,) = letters
        attempts = len(receiver.received)
        receiver.status = 200
        assert_no_errors(await gql(gateway.client, REPLAY, {"id": letter["id"]}))
        await receiver.wait_for(attempts + 1)
        after = assert_no_errors(await gql(gateway.client, DEAD_LETTERS))["deadLetters"]

    assert letter["attempts"] >= 2 and attempts == letter["attempts"]
    assert (letter["kind"], letter["lastError"]) == ("PROFILE_CHANGED", "HTTP 503")
    assert {h["webhook-id"] for h, _ in receiver.received} == {letter["eventId"]}
    assert len(receiver.accepted(secret)) == 1
    assert after == []


async def test_a_restart_resumes_the_queue_and_resends_the_same_id(database_url: str):
    # given a delivery that failed once before the gateway stopped
    receiver = Receiver()
    receiver.status = 503
    # A short lease: a stop that interrupts an attempt frees its claim, and should it not, the
    # claim still runs out well within the wait below.
    settings = _settings(
        database_url,
        outbound_webhook_first_retry_seconds=0.2,
        outbound_webhook_timeout_seconds=1.0,
        outbound_webhook_lease_seconds=2.0,
    )
    async with gateway_with(settings, receiver) as first:
        secret = await _endpoint(first)
        await create_customer(first.client, givenName="Jane", familyName="Doe")
        await receiver.wait_for(1)

    # when another process starts with the receiver up
    receiver.status = 200
    async with gateway_with(settings, receiver) as second:
        await receiver.wait_for(len(receiver.received) + 1)
        letters = assert_no_errors(await gql(second.client, DEAD_LETTERS))["deadLetters"]

    # then it is delivered, under the same webhook-id (the receiver keeps it once)
    assert len({h["webhook-id"] for h, _ in receiver.received}) == 1
    assert len(receiver.accepted(secret)) == 1
    assert letters == []


async def test_an_endpoint_for_a_consent_purpose_gets_only_consenting_customers(
    database_url: str,
):
    receiver = Receiver()
    async with gateway_with(_settings(database_url), receiver) as gateway:
        # given two customers, one of whom granted personalization, and then an endpoint for
        # personalization (it receives what is committed after it was registered)
        jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
        john = await create_customer(gateway.client, givenName="John", familyName="Roe")
        consent = {"purpose": "PERSONALIZATION", "channel": "EMAIL", "status": "GRANTED"}
        variables = {"input": {"customerId": jane["id"], **consent}}
        assert_no_errors(await gql(gateway.client, CONSENT, variables))
        secret = await _endpoint(gateway, purpose="personalization", kinds=["PROFILE_CHANGED"])

        # when both change
        await _update(gateway, john, segment="a")
        await _update(gateway, jane, segment="b")
        states = await _settled_deliveries(gateway)

    # then John's change was withheld (it is never sent: only pending ones are), Jane's sent
    assert states == {
        (node_id(john["id"]), WITHHELD),
        (node_id(jane["id"]), DELIVERED),
    }
    accepted = receiver.accepted(secret)
    assert [(p["data"]["customerId"], p["data"]["changed"]) for p in accepted] == [
        (jane["id"], ["segment"])
    ]


async def test_webhook_endpoints_are_for_admins_and_urls_are_checked(gateway: Gateway):
    headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    variables = {"url": "http://receiver/hook", "purpose": "support"}
    refused = await gql(gateway.client, CREATE, variables, headers=headers)
    bad_url = await gql(gateway.client, CREATE, {**variables, "url": "ftp://x/hook"})
    bad_purpose = await gql(gateway.client, CREATE, {**variables, "purpose": "spying"})
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(bad_url) == ["BAD_USER_INPUT"]
    assert error_codes(bad_purpose) == ["BAD_USER_INPUT"]


ROTATE = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { id } } }"
DISABLE = "mutation($id: ID!) { disableWebhookEndpoint(id: $id) { enabled } }"
ENDPOINTS = "{ webhookEndpoints { id enabled } }"


async def test_a_rotated_secret_signs_the_next_delivery_and_a_disabled_endpoint_gets_none(
    database_url: str,
):
    receiver = Receiver()
    async with gateway_with(_settings(database_url), receiver) as gateway:
        # given an endpoint whose secret is rotated
        old = await _endpoint(gateway)
        (endpoint,) = assert_no_errors(await gql(gateway.client, ENDPOINTS))["webhookEndpoints"]
        rotated = assert_no_errors(await gql(gateway.client, ROTATE, {"id": endpoint["id"]}))
        new = rotated["rotateWebhookSecret"]["secret"]

        # when a change is sent, then the endpoint is disabled and another change is made
        jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
        await receiver.wait_for(1)
        disabled = assert_no_errors(await gql(gateway.client, DISABLE, {"id": endpoint["id"]}))
        await _update(gateway, jane, segment="a")
        # deliveries are written with their event: none was owed for the change after the
        # disable, so none can ever be sent
        owed = await _settled_deliveries(gateway)

    # then the first verifies with the new secret only, and nothing came after the disable
    assert owed == {(node_id(jane["id"]), DELIVERED)}
    headers, body = receiver.received[0]
    assert Webhook(new).verify(body, headers)["type"] == "customer.profile_changed"
    try:
        Webhook(old).verify(body, headers)
        verified_with_old = True
    except WebhookVerificationError:
        verified_with_old = False
    assert not verified_with_old
    assert disabled["disableWebhookEndpoint"]["enabled"] is False
    assert len(receiver.received) == 1
