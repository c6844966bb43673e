"""Subscriptions over a real WebSocket (graphql-transport-ws): authentication, who receives
what, consent at delivery, the per-connection limit."""

from __future__ import annotations

import os

import pytest

from app.privacy.principals import Purpose, Role
from app.settings import Settings
from tests.conftest import Gateway, running_gateway
from tests.events.ws_client import open_socket, subscribed
from tests.graphql_client import assert_no_errors, create_customer, gql, node_id

REDIS_URL = os.environ.get("C360_TEST_REDIS_URL")
CUSTOMER_EVENTS = """
subscription($id: ID!, $kinds: [CustomerEventKind!]) {
  customerEvents(customerId: $id, kinds: $kinds) { id kind customerId changed source occurredAt }
}
"""
STREAM = "subscription { customerEventStream { kind customerId changed } }"
UPDATE = """
mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
MY_PROFILE = """
mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { version } }
"""
CONSENT = """
mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""


async def _update(gateway: Gateway, customer: dict, **fields) -> dict:
    body = await gql(
        gateway.client,
        UPDATE,
        {"input": {"id": customer["id"], "version": customer["version"], **fields}},
    )
    return {"id": customer["id"], **assert_no_errors(body)["updateCustomer"]}


async def _consent(gateway: Gateway, customer: dict, status: str) -> None:
    variables = {
        "input": {
            "customerId": customer["id"],
            "purpose": "PERSONALIZATION",
            "channel": "EMAIL",
            "status": status,
        }
    }
    assert_no_errors(await gql(gateway.client, CONSENT, variables))


async def test_a_support_agent_receives_a_change_as_it_is_committed(gateway: Gateway):
    # given an agent following one customer
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    async with open_socket(gateway.app) as socket:
        assert (await socket.init(headers))["type"] == "connection_ack"
        operation = await socket.subscribe(CUSTOMER_EVENTS, {"id": jane["id"]})
        await subscribed(gateway.app, 1)

        # when a mutation changes her
        await _update(gateway, jane, segment="vip")

        # then
        event = (await socket.next_event(operation))["data"]["customerEvents"]
    assert event["kind"] == "PROFILE_CHANGED"
    assert event["customerId"] == jane["id"]
    assert event["changed"] == ["segment"]
    assert "vip" not in str(event)


async def test_a_socket_that_does_not_authenticate_is_closed(database_url: str):
    settings = Settings(database_url=database_url, ws_connection_init_timeout_seconds=0.2)
    async with running_gateway(settings) as gateway:
        # a socket that never sends connection_init
        async with open_socket(gateway.app) as silent:
            silent_code = await silent.closed_with()
        # a socket with a wrong key
        async with open_socket(gateway.app) as wrong:
            await wrong.ws.send_json(
                {"type": "connection_init", "payload": {"X-API-Key": "c360_not-a-key"}}
            )
            wrong_code = await wrong.closed_with()
        # a socket that subscribes without connection_init
        async with open_socket(gateway.app) as eager:
            await eager.subscribe(STREAM)
            eager_code = await eager.closed_with()
    assert (silent_code, wrong_code, eager_code) == (4408, 4403, 4401)


async def test_a_customer_receives_only_their_own_events(gateway: Gateway):
    # given two customers, one of them signed in, following the staff stream is refused
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    john = await create_customer(gateway.client, givenName="John", familyName="Roe")
    headers = await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, node_id(jane["id"]))
    async with open_socket(gateway.app) as socket:
        await socket.init(headers)
        others = await socket.subscribe(CUSTOMER_EVENTS, {"id": john["id"]})
        refused = await socket.refusal(others)
        stream = await socket.subscribe(STREAM)
        refused_stream = await socket.refusal(stream)
        own = await socket.subscribe(CUSTOMER_EVENTS, {"id": jane["id"]})
        await subscribed(gateway.app, 1)

        # when both change (John first)
        await _update(gateway, john, segment="a")
        await _update(gateway, jane, segment="b")

        # then only Jane's change arrives
        event = (await socket.next_event(own))["data"]["customerEvents"]
    assert (refused, refused_stream) == ("FORBIDDEN", "FORBIDDEN")
    assert event["customerId"] == jane["id"]


async def test_a_consent_withdrawal_stops_gated_events_at_once(gateway: Gateway):
    # given a personalization widget following a customer who granted personalization
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    await _consent(gateway, jane, "GRANTED")
    headers = await gateway.headers_for(Role.PERSONALIZATION, Purpose.PERSONALIZATION)
    kinds = ["PROFILE_CHANGED", "CONSENT_CHANGED"]
    async with open_socket(gateway.app) as socket:
        await socket.init(headers)
        operation = await socket.subscribe(CUSTOMER_EVENTS, {"id": jane["id"], "kinds": kinds})
        await subscribed(gateway.app, 1)

        # when she changes, withdraws, changes again, then grants again
        jane = await _update(gateway, jane, segment="a")
        first = (await socket.next_event(operation))["data"]["customerEvents"]
        await _consent(gateway, jane, "WITHDRAWN")
        jane = await _update(gateway, jane, segment="b")
        await _consent(gateway, jane, "GRANTED")
        after = (await socket.next_event(operation))["data"]["customerEvents"]

    # then nothing between the withdrawal and the new grant reached the widget
    assert (first["kind"], first["changed"]) == ("PROFILE_CHANGED", ["segment"])
    assert (after["kind"], after["changed"]) == ("CONSENT_CHANGED", ["personalization:email"])


async def test_subscriptions_per_connection_are_limited(database_url: str):
    settings = Settings(database_url=database_url, subscriptions_per_connection=1)
    async with running_gateway(settings) as gateway:
        headers = await gateway.headers_for(Role.ADMIN, Purpose.ADMINISTRATION)
        async with open_socket(gateway.app) as socket:
            await socket.init(headers)
            await socket.subscribe(STREAM)
            await subscribed(gateway.app, 1)
            second = await socket.subscribe(STREAM)
            refused = await socket.receive()
    assert (refused["id"], refused["type"]) == (second, "error")
    assert refused["payload"][0]["message"] == "Subscription limit reached"


async def test_alike_subscribers_share_results_from_when_each_subscribed(gateway: Gateway):
    # given an admin following the staff stream, which has already delivered one change
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    headers = await gateway.headers_for(Role.ADMIN, Purpose.ADMINISTRATION)
    async with open_socket(gateway.app) as first, open_socket(gateway.app) as second:
        await first.init(headers)
        early = await first.subscribe(STREAM)
        await subscribed(gateway.app, 1)
        jane = await _update(gateway, jane, segment="a")
        before = (await first.next_event(early))["data"]["customerEventStream"]

        # when a second admin sends the same subscription, then Jane changes again
        await second.init(headers)
        late = await second.subscribe(STREAM)
        await subscribed(gateway.app, 2)
        await _update(gateway, jane, segment="b")

        # then both receive the new change, and the late one nothing from before it subscribed
        received = [
            await socket.next_event(operation)
            for socket, operation in ((first, early), (second, late))
        ]
    assert before["changed"] == ["segment"]
    assert received[0] == received[1]
    assert received[0]["data"]["customerEventStream"]["kind"] == "PROFILE_CHANGED"


async def test_the_same_subscription_is_decided_for_each_principal(gateway: Gateway):
    # given Jane, who has not granted personalization, followed with one document by Jane
    # herself, by John, by a support agent and by a personalization widget
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    john = await create_customer(gateway.client, givenName="John", familyName="Roe")
    callers = [
        await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, node_id(jane["id"])),
        await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, node_id(john["id"])),
        await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT),
        await gateway.headers_for(Role.PERSONALIZATION, Purpose.PERSONALIZATION),
    ]
    variables = {"id": jane["id"], "kinds": ["PROFILE_CHANGED", "CONSENT_CHANGED"]}
    async with (
        open_socket(gateway.app) as herself,
        open_socket(gateway.app) as other,
        open_socket(gateway.app) as agent,
        open_socket(gateway.app) as widget,
    ):
        sockets = (herself, other, agent, widget)
        operations = []
        for socket, headers in zip(sockets, callers, strict=True):
            await socket.init(headers)
            operations.append(await socket.subscribe(CUSTOMER_EVENTS, variables))
        refused = await other.refusal(operations[1])
        await subscribed(gateway.app, 3)

        # when she changes, then grants personalization
        jane = await _update(gateway, jane, segment="a")
        await _consent(gateway, jane, "GRANTED")

        # then the widget's first event is the grant; the others see the change first
        first = [
            (await socket.next_event(operation))["data"]["customerEvents"]["kind"]
            for socket, operation in zip(sockets, operations, strict=True)
            if socket is not other
        ]
    assert refused == "FORBIDDEN"
    assert first == ["PROFILE_CHANGED", "PROFILE_CHANGED", "CONSENT_CHANGED"]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PERSONALIZATION])
async def test_the_staff_stream_is_for_staff(gateway: Gateway, role: Role):
    headers = await gateway.headers_for(role, Purpose.ANALYTICS)
    async with open_socket(gateway.app) as socket:
        await socket.init(headers)
        operation = await socket.subscribe(STREAM)
        code = await socket.refusal(operation)
    assert code == "FORBIDDEN"


async def test_two_workers_with_redis_both_deliver(database_url: str):
    # given two workers on one store, each with a subscriber; polling is off (an hour), so
    # only the Redis wake-up can bring the other worker's change in time
    if REDIS_URL is None:
        pytest.skip("C360_TEST_REDIS_URL is not set")
    settings = Settings(
        database_url=database_url, events_redis_url=REDIS_URL, events_poll_seconds=3600
    )
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        jane = await create_customer(one.client, givenName="Jane", familyName="Doe")
        headers = await one.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(one.app) as first, open_socket(two.app) as second:
            operations = []
            for socket, worker in ((first, one), (second, two)):
                await socket.init(headers)
                operations.append(await socket.subscribe(CUSTOMER_EVENTS, {"id": jane["id"]}))
                await subscribed(worker.app, 1)

            # when the first worker commits a change
            await _update(one, jane, segment="vip")

            # then both workers' subscribers receive it
            received = [
                (await socket.next_event(operation))["data"]["customerEvents"]["changed"]
                for socket, operation in zip((first, second), operations, strict=True)
            ]
    assert received == [["segment"], ["segment"]]


async def test_a_subscription_sent_over_http_is_a_clear_bad_request(gateway: Gateway):
    response = await gateway.client.post(
        "/graphql", json={"query": STREAM}, headers={"accept": "application/graphql-response+json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in response.json()["errors"][0]["message"]
