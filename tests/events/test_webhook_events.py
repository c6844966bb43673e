"""Changes heard from source systems' webhooks become outbox events too."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import httpx
import orjson
from sqlalchemy import select

from app.events.kinds import EventKind
from app.privacy.principals import Purpose, Role
from app.store.models import OutboxEvent
from simulators import FaultSettings
from simulators.config import DEMO_TOKENS, ZENDESK_DEMO_USER
from simulators.webhooks import HubSpotWebhookTarget, ZendeskWebhookTarget
from tests.events.ws_client import open_socket, subscribed
from tests.graphql_client import assert_no_errors, global_id, gql
from tests.metrics.test_webhooks import (
    HUBSPOT_SECRET,
    WEBHOOK_SETTINGS,
    hubspot_event,
    hubspot_headers,
    respondent,
    submit_response,
    wire_simulator,
)
from tests.sources.conftest import linked_to_all


async def _events(db, kinds: set[str]) -> list[tuple[str, str, list[str], str]]:
    async with db.session() as session:
        rows = await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        return [(r.kind, r.customer_id, r.changed, r.source) for r in rows if r.kind in kinds]


async def test_a_survey_answered_in_the_simulator_is_an_event(start_gateway, world):
    # given
    customer_id, contact_id, email = respondent(world)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        wire_simulator(gateway)

        # when the customer answers in SurveyMonkey (its webhook reaches the gateway)
        await submit_response(gateway, {"email": email, "contact_id": contact_id, "nps": 2})
        events = await _events(gateway.db, {EventKind.SURVEY_ANSWERED})

    # then
    assert events == [
        (EventKind.SURVEY_ANSWERED, customer_id, ["survey_responses"], "surveymonkey")
    ]


async def test_a_crm_contact_change_is_an_event_once(start_gateway, world):
    # given
    customer_id = linked_to_all(world)[0]
    contact_id = next(
        link.external_id
        for link in world.links
        if link.customer_id == customer_id and link.system == "hubspot"
    )
    body = orjson.dumps([hubspot_event(1, contact_id)])
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        # when HubSpot delivers the change twice
        for _ in range(2):
            response = await gateway.client.post(
                "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
            )
            assert response.status_code == 200
        events = await _events(gateway.db, {EventKind.PROFILE_CHANGED})

    # then: one event, naming the property (never its value)
    assert events == [(EventKind.PROFILE_CHANGED, customer_id, ["email"], "hubspot")]


SURVEYS = """
subscription($id: ID!) {
  customerEvents(customerId: $id, kinds: [SURVEY_ANSWERED]) { kind customerId changed source }
}
"""


async def test_a_subscriber_hears_of_a_survey_answered_in_the_simulator(start_gateway, world):
    # given a support tool open on a customer (the demo's GraphiQL subscription)
    customer_id, contact_id, email = respondent(world)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        wire_simulator(gateway)
        headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(gateway.app) as socket:
            await socket.init(headers)
            operation = await socket.subscribe(SURVEYS, {"id": global_id("Customer", customer_id)})
            await subscribed(gateway.app, 1)

            # when the customer answers in SurveyMonkey, whose webhook reaches the gateway
            await submit_response(gateway, {"email": email, "contact_id": contact_id, "nps": 2})

            # then
            event = (await socket.next_event(operation))["data"]["customerEvents"]
    assert event == {
        "kind": "SURVEY_ANSWERED",
        "customerId": global_id("Customer", customer_id),
        "changed": ["survey_responses"],
        "source": "surveymonkey",
    }


TICKETS = """
subscription($id: ID!) {
  customerEvents(customerId: $id, kinds: [TICKET_CHANGED]) { kind customerId changed source }
}
"""
OPEN_TICKETS = "query($id: ID!) { customer(id: $id) { tickets { system externalId } } }"


async def _customer_with_a_ticket(gateway, world) -> tuple[str, str]:
    """A customer linked everywhere with a HubSpot ticket, and that ticket's id."""
    for customer_id in linked_to_all(world):
        body = await gql(gateway.client, OPEN_TICKETS, {"id": global_id("Customer", customer_id)})
        tickets = assert_no_errors(body)["customer"]["tickets"]
        hubspot = [t["externalId"] for t in tickets if t["system"] == "hubspot"]
        if hubspot:
            return customer_id, hubspot[0]
    raise AssertionError("no customer of the world has a ticket")


async def test_a_ticket_updated_in_the_crm_reaches_a_subscriber(start_gateway, world):
    # given a support tool open on a customer with a HubSpot ticket, and the simulator wired
    # to send its webhooks to the gateway
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        customer_id, ticket_id = await _customer_with_a_ticket(gateway, world)
        crm = gateway.sources.apps["hubspot"]
        crm.state.webhook = HubSpotWebhookTarget(
            "http://gateway", HUBSPOT_SECRET, httpx.ASGITransport(app=gateway.app)
        )
        headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(gateway.app) as socket:
            await socket.init(headers)
            operation = await socket.subscribe(TICKETS, {"id": global_id("Customer", customer_id)})
            await subscribed(gateway.app, 1)

            # when an agent moves the ticket along in HubSpot
            async with httpx.AsyncClient(
                transport=gateway.sources.transports["hubspot"], base_url="http://hs"
            ) as client:
                response = await client.post(
                    f"/sim/tickets/{ticket_id}/changes",
                    json={"property": "hs_pipeline_stage", "value": "4"},
                    headers={"Authorization": f"Bearer {DEMO_TOKENS['hubspot']}"},
                )

            # then the subscriber hears of it: what changed, never the value
            event = (await socket.next_event(operation))["data"]["customerEvents"]
    assert response.json() == {"webhook_status": 200}
    assert event == {
        "kind": "TICKET_CHANGED",
        "customerId": global_id("Customer", customer_id),
        "changed": ["hs_pipeline_stage"],
        "source": "hubspot",
    }


async def test_a_ticket_event_is_retried_when_the_crm_cannot_name_its_contact(start_gateway, world):
    # given the CRM is down: the ticket's contact cannot be read
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        customer_id, ticket_id = await _customer_with_a_ticket(gateway, world)
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0))
        body = orjson.dumps([hubspot_event(42, ticket_id, "ticket.propertyChange")])

        # when HubSpot delivers the ticket's change
        refused = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )
        # and redelivers it once the CRM is back
        gateway.sources.break_("hubspot", FaultSettings())
        accepted = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )
        events = await _events(gateway.db, {EventKind.TICKET_CHANGED})

    # then the first answer asks for a retry, and the retry records one event
    assert refused.status_code == 503
    assert accepted.status_code == 200
    assert events == [(EventKind.TICKET_CHANGED, customer_id, ["email"], "hubspot")]


ZENDESK_SECRET = "zendesk-signing-secret-for-tests"
DESK_TICKETS = """
subscription($id: ID!) {
  customerEvents(customerId: $id, kinds: [TICKET_CHANGED]) { kind customerId changed source }
}
"""


def _desk_event(event_id: str, requester_id: str, kind: str = "status_changed") -> bytes:
    """A Zendesk ticket event as its event webhooks send one."""
    return orjson.dumps(
        {
            "type": f"zen:event-type:ticket.{kind}",
            "account_id": 88888888,
            "id": event_id,
            "time": "2026-12-03T10:00:00Z",
            "zendesk_event_version": "2022-11-06",
            "subject": "zen:ticket:35436",
            "detail": {"id": "35436", "requester_id": requester_id, "status": "SOLVED"},
            "event": {"current": "SOLVED", "previous": "OPEN"},
        }
    )


def _desk_headers(body: bytes, secret: str = ZENDESK_SECRET) -> dict[str, str]:
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }


async def test_a_ticket_changed_in_the_support_desk_reaches_a_subscriber_once(start_gateway, world):
    # given a support tool open on a customer known to Zendesk
    link = next(link for link in world.links if link.system == "zendesk")
    body = _desk_event("01HNX-STATUS-1", link.external_id)
    settings = {**WEBHOOK_SETTINGS, "zendesk_webhook_secret": ZENDESK_SECRET}
    async with start_gateway(**settings) as gateway:
        headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(gateway.app) as socket:
            await socket.init(headers)
            variables = {"id": global_id("Customer", link.customer_id)}
            operation = await socket.subscribe(DESK_TICKETS, variables)
            await subscribed(gateway.app, 1)

            # when Zendesk delivers the ticket's change twice, then a forged one
            answers = [
                await gateway.client.post(
                    "/webhooks/zendesk", content=body, headers=_desk_headers(body)
                )
                for _ in range(2)
            ]
            forged = await gateway.client.post(
                "/webhooks/zendesk", content=body, headers=_desk_headers(body, "not-the-secret")
            )
            event = (await socket.next_event(operation))["data"]["customerEvents"]
        events = await _events(gateway.db, {EventKind.TICKET_CHANGED})

    # then the subscriber heard of it, once, naming what changed; the forgery is refused
    assert [a.json()["results"] for a in answers] == [["recorded"], ["duplicate"]]
    assert forged.status_code == 401
    assert event == {
        "kind": "TICKET_CHANGED",
        "customerId": global_id("Customer", link.customer_id),
        "changed": ["status_changed"],
        "source": "zendesk",
    }
    assert events == [(EventKind.TICKET_CHANGED, link.customer_id, ["status_changed"], "zendesk")]


async def test_a_desk_event_of_no_known_requester_is_acknowledged_and_ignored(start_gateway):
    body = _desk_event("01HNX-UNKNOWN-1", "999999999")
    settings = {**WEBHOOK_SETTINGS, "zendesk_webhook_secret": ZENDESK_SECRET}
    async with start_gateway(**settings) as gateway:
        answer = await gateway.client.post(
            "/webhooks/zendesk", content=body, headers=_desk_headers(body)
        )
        events = await _events(gateway.db, {EventKind.TICKET_CHANGED})

    assert answer.json() == {"results": ["ignored"]}
    assert events == []


DESK_TICKET_LIST = """
query($id: ID!) { customer(id: $id) { tickets { system externalId pipelineStage status } } }
"""


async def test_tickets_written_through_the_desk_simulators_api_reach_a_subscriber(
    start_gateway, world
):
    # given a support tool open on a customer known to Zendesk, and the desk simulator wired
    # to send its signed ticket events to the gateway
    link = next(link for link in world.links if link.system == "zendesk")
    customer = global_id("Customer", link.customer_id)
    settings = {**WEBHOOK_SETTINGS, "zendesk_webhook_secret": ZENDESK_SECRET}
    async with start_gateway(**settings) as gateway:
        desk = gateway.sources.apps["zendesk"]
        desk.state.webhook = ZendeskWebhookTarget(
            "http://gateway", ZENDESK_SECRET, httpx.ASGITransport(app=gateway.app)
        )
        headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(gateway.app) as socket:
            await socket.init(headers)
            operation = await socket.subscribe(DESK_TICKETS, {"id": customer})
            await subscribed(gateway.app, 1)

            # when the requester opens a ticket through Zendesk's API, and an agent solves it
            # with a reply
            async with httpx.AsyncClient(
                transport=gateway.sources.transports["zendesk"],
                base_url="http://zendesk",
                auth=(ZENDESK_DEMO_USER, DEMO_TOKENS["zendesk"]),
            ) as desk_api:
                opened = await desk_api.post(
                    "/api/v2/tickets.json",
                    json={
                        "ticket": {
                            "requester_id": int(link.external_id),
                            "subject": "The zip of my jacket broke",
                            "comment": {"body": "It broke on the second day."},
                        }
                    },
                )
                ticket_id = opened.json()["ticket"]["id"]
                solved = await desk_api.put(
                    f"/api/v2/tickets/{ticket_id}.json",
                    json={"ticket": {"status": "solved", "comment": {"body": "Sent a new one."}}},
                )
            heard = [
                (await socket.next_event(operation))["data"]["customerEvents"]["changed"]
                for _ in range(3)
            ]
        tickets = assert_no_errors(await gql(gateway.client, DESK_TICKET_LIST, {"id": customer}))

    # then the subscriber heard of each change by name, and the desk's ticket is read as solved
    assert (opened.status_code, solved.status_code) == (201, 200)
    assert heard == [["created"], ["status_changed"], ["comment_added"]]
    desk_tickets = {
        t["externalId"]: t["pipelineStage"]
        for t in tickets["customer"]["tickets"]
        if t["system"] == "zendesk"
    }
    assert desk_tickets[str(ticket_id)] == "solved"


async def test_the_desk_simulator_refuses_what_zendesk_refuses(sources, world):
    # given a requester and one of their tickets
    link = next(link for link in world.links if link.system == "zendesk")
    async with httpx.AsyncClient(
        transport=sources.transports["zendesk"],
        base_url="http://zendesk",
        auth=(ZENDESK_DEMO_USER, DEMO_TOKENS["zendesk"]),
    ) as desk_api:
        # when a ticket comes without its first comment, or with a status Zendesk lacks
        blank = await desk_api.post(
            "/api/v2/tickets.json", json={"ticket": {"requester_id": int(link.external_id)}}
        )
        opened = await desk_api.post(
            "/api/v2/tickets.json",
            json={"ticket": {"requester_id": int(link.external_id), "comment": {"body": "Hi"}}},
        )
        ticket_id = opened.json()["ticket"]["id"]
        unknown = await desk_api.put(
            f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"status": "shelved"}}
        )
        closed = await desk_api.put(
            f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"status": "closed"}}
        )
        after_close = await desk_api.put(
            f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"priority": "high"}}
        )

    # then each refusal is Zendesk's 422 RecordInvalid naming the field; no webhook was wired
    assert [r.status_code for r in (blank, opened, unknown, closed, after_close)] == [
        422,
        201,
        422,
        200,
        422,
    ]
    assert blank.json()["error"] == "RecordInvalid"
    assert set(blank.json()["details"]) == {"comment"}
    assert set(unknown.json()["details"]) == {"status"}
    assert set(after_close.json()["details"]) == {"status"}
