"""`kill -9` of a real `c360 serve` while webhook deliveries are in flight: after a restart on
the same store every event reaches the receiver, and a delivery sent twice carries the same
`webhook-id` both times (receivers deduplicate by it)."""

from __future__ import annotations

import asyncio
import signal
from collections import defaultdict

import httpx
from standardwebhooks import Webhook

from tests.events.served import WAIT, admin_key, served
from tests.events.webhook_receiver import Receiver, serving

CUSTOMERS = 12
# Attempts wait 4 s for an answer; claims of a killed process expire 5 s later.
SERVER_ENV = {
    "C360_LOG_LEVEL": "WARNING",
    "C360_EVENTS_POLL_SECONDS": "0.1",
    "C360_OUTBOUND_WEBHOOK_TIMEOUT_SECONDS": "4",
    "C360_OUTBOUND_WEBHOOK_LEASE_SECONDS": "5",
    "C360_OUTBOUND_WEBHOOK_FIRST_RETRY_SECONDS": "0.1",
}
CREATE_ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(url: $url, purpose: "support", kinds: [PROFILE_CHANGED]) { secret }
}
"""
CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }
"""


async def _graphql(url: str, key: str, query: str, variables: dict) -> dict:
    async with httpx.AsyncClient(timeout=WAIT) as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables},
            headers={"X-API-Key": key},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_kill_9_mid_delivery_loses_no_webhook_and_resends_under_the_same_id(
    database_url: str,
):
    key = await asyncio.to_thread(admin_key, database_url, "kill-test")
    receiver = Receiver()
    async with serving(receiver) as hook_url:
        # given a receiver that keeps every request unanswered, and an endpoint for it
        receiver.holding = True
        async with served(database_url, SERVER_ENV) as (server, url):
            created = await _graphql(url, key, CREATE_ENDPOINT, {"url": hook_url})
            secret = created["createWebhookEndpoint"]["secret"]

            # when customers are created, and the server is killed while it waits for answers
            customers = []
            for n in range(CUSTOMERS):
                variables = {"input": {"givenName": f"Kill{n}", "familyName": "Test"}}
                customer = await _graphql(url, key, CREATE_CUSTOMER, variables)
                customers.append(customer["createCustomer"]["id"])
            await receiver.wait_for(1, WAIT)
            in_flight = receiver.unanswered
            server.send_signal(signal.SIGKILL)
            await asyncio.to_thread(server.wait, 30)
        receiver.release()
        before_restart = len(receiver.received)

        # and the server restarts on the same store
        async with served(database_url, SERVER_ENV):
            # until every customer's event arrived and the interrupted one came again (its
            # claim's lease must run out first)
            async with asyncio.timeout(WAIT):
                while {p["data"]["customerId"] for p in receiver.accepted(secret)} != set(
                    customers
                ) or len(receiver.received) == len(receiver.accepted(secret)):
                    await asyncio.sleep(0.1)

    # then every event arrived, each verified; sent again after the kill, it kept its id
    ids_by_customer: dict[str, set[str]] = defaultdict(set)
    for headers, body in receiver.received:
        payload = Webhook(secret).verify(body, headers)
        assert payload["data"]["eventId"] == headers["webhook-id"]
        ids_by_customer[payload["data"]["customerId"]].add(headers["webhook-id"])
    assert in_flight >= 1
    assert set(ids_by_customer) == set(customers)
    assert all(len(ids) == 1 for ids in ids_by_customer.values())
    resent = len(receiver.received) - len(receiver.accepted(secret))
    assert resent >= 1, (before_restart, len(receiver.received))
