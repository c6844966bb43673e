"""The outbox does not keep events for ever: old ones are pruned once no enabled endpoint is
owed them, and an erasure takes the person's events and dead letters with it."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from app.events.kinds import EventKind
from app.settings import Settings
from app.store.models import OutboxEvent
from tests.conftest import Gateway
from tests.events.test_outbound_webhooks import gateway_with
from tests.events.webhook_receiver import WAIT, Receiver
from tests.graphql_client import assert_no_errors, create_customer, gql, node_id

CREATE_ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(url: $url, purpose: "support", kinds: [PROFILE_CHANGED]) { secret }
}
"""
DEAD_LETTERS = "{ deadLetters { eventId customerId } }"
ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"


def _settings(database_url: str, **overrides: Any) -> Settings:
    values = {"events_poll_seconds": 0.05, "outbound_webhook_first_retry_seconds": 0.05}
    return Settings(database_url=database_url, **{**values, **overrides})


async def _events(gateway: Gateway) -> list[tuple[str, str]]:
    async with gateway.db.session() as session:
        rows = await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        return [(row.kind, row.customer_id) for row in rows]


async def _endpoint(gateway: Gateway) -> None:
    variables = {"url": "http://receiver/hook"}
    assert_no_errors(await gql(gateway.client, CREATE_ENDPOINT, variables))


async def test_old_events_are_pruned_unless_an_enabled_endpoint_is_still_owed_them(
    database_url: str,
):
    # given a retention of ~0.1 s, and three customers created with an endpoint registered:
    # Jane's event delivered, John's still owed (its retry is an hour away), Ann's delivered
    receiver = Receiver()
    settings = _settings(
        database_url,
        outbox_retention_days=1e-6,
        outbound_webhook_first_retry_seconds=3600,
        outbox_first_prune_seconds=0,
    )
    async with gateway_with(settings, receiver) as first:
        await _endpoint(first)
        jane = await create_customer(first.client, givenName="Jane", familyName="Doe")
        await receiver.wait_for(1)
        receiver.status = 503
        john = await create_customer(first.client, givenName="John", familyName="Roe")
        await receiver.wait_for(2)
        receiver.status = 200
        ann = await create_customer(first.client, givenName="Ann", familyName="Poe")
        await receiver.wait_for(3)
        before = await _events(first)
    await asyncio.sleep(0.2)  # every event is now older than the retention

    # when a serving process starts (set to prune at once, then hourly)
    async with gateway_with(settings, receiver) as second:
        async with asyncio.timeout(WAIT):
            while len(after := await _events(second)) == len(before):
                await asyncio.sleep(0.05)

    # then Jane's delivered event went; John's, still owed, stayed; so did Ann's, the newest
    # (a new event must never be given an id a dispatcher already delivered)
    profile = EventKind.PROFILE_CHANGED.value
    assert before == [(profile, node_id(c["id"])) for c in (jane, john, ann)]
    assert after == [(profile, node_id(john["id"])), (profile, node_id(ann["id"]))]


async def test_a_long_retention_keeps_delivered_events(database_url: str):
    receiver = Receiver()
    async with gateway_with(_settings(database_url), receiver) as first:
        await _endpoint(first)
        await create_customer(first.client, givenName="Jane", familyName="Doe")
        await create_customer(first.client, givenName="John", familyName="Roe")
        await receiver.wait_for(2)
        before = await _events(first)
    async with gateway_with(_settings(database_url), receiver) as second:
        # a webhook delivered after the start shows the sender's first round (and its
        # pruning) is over
        await create_customer(second.client, givenName="Ann", familyName="Poe")
        await receiver.wait_for(3)
        after = await _events(second)
    assert after[: len(before)] == before


async def test_erasure_deletes_the_persons_events_and_dead_letters(database_url: str):
    # given Jane's and John's changes, undeliverable, kept as dead letters
    receiver = Receiver()
    receiver.status = 503
    settings = _settings(database_url, outbound_webhook_retry_window_seconds=0.2)
    async with gateway_with(settings, receiver) as gateway:
        await _endpoint(gateway)
        jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
        john = await create_customer(gateway.client, givenName="John", familyName="Roe")
        async with asyncio.timeout(WAIT):
            while len(assert_no_errors(await gql(gateway.client, DEAD_LETTERS))["deadLetters"]) < 2:
                await asyncio.sleep(0.05)

        # when Jane is erased (the receiver is back: her erasure is delivered)
        receiver.status = 200
        assert_no_errors(await gql(gateway.client, ERASE, {"id": jane["id"]}))
        letters = assert_no_errors(await gql(gateway.client, DEAD_LETTERS))["deadLetters"]
        events = await _events(gateway)

    # then only John's dead letter is left, and of Jane's events only her erasure
    assert [letter["customerId"] for letter in letters] == [john["id"]]
    assert [e for e in events if e[1] == node_id(jane["id"])] == [
        (EventKind.ERASED.value, node_id(jane["id"]))
    ]
    assert (EventKind.PROFILE_CHANGED.value, node_id(john["id"])) in events
