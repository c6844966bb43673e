"""Webhooks over HTTP: signatures, replays, linking, the matching queue, end to end to GraphQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from app.store.models import MetricObservation, WebhookEvent
from simulators.activity import survey_contact
from simulators.config import DEMO_TOKENS
from simulators.webhooks import HubSpotWebhookTarget, WebhookTarget
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import linked_to_all

SM_CLIENT_ID = "sm-client-id"
SM_SECRET = "sm-client-secret-for-tests"
HUBSPOT_SECRET = "hubspot-client-secret-for-tests"
WEBHOOK_SETTINGS = {
    "surveymonkey_webhook_client_id": SM_CLIENT_ID,
    "surveymonkey_webhook_secret": SM_SECRET,
    "hubspot_webhook_secret": HUBSPOT_SECRET,
}
HUBSPOT_URL = "http://gateway/webhooks/hubspot"

NPS = """
query Nps($id: ID!) {
  customer(id: $id) { metrics(names: ["nps", "nps_category"]) { name value source trend } }
}
"""
QUEUE = """
{ unmatchedRespondents(first: 10) { edges { node { system externalId email details } } } }
"""


def sm_headers(body: bytes, secret: str = SM_SECRET) -> dict[str, str]:
    """Signed as SurveyMonkey documents it, computed here independently of the gateway."""
    digest = hmac.new(f"{SM_CLIENT_ID}&{secret}".encode(), body, hashlib.sha1).digest()
    return {
        "content-type": "application/json",
        "Sm-Apikey": SM_CLIENT_ID,
        "Sm-Signature": base64.b64encode(digest).decode(),
    }


def hubspot_headers(
    body: bytes,
    *,
    timestamp_ms: int | None = None,
    secret: str = HUBSPOT_SECRET,
    url: str = HUBSPOT_URL,
):
    """Signed as HubSpot's v3 scheme documents it: method + URI + body + timestamp."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    message = b"POST" + url.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": timestamp,
    }


def sm_event(event_id: str, response_id: str = "1", survey_id: str = "410000001") -> bytes:
    return orjson.dumps(
        {
            "name": "test",
            "filter_type": "survey",
            "filter_id": survey_id,
            "event_type": "response_completed",
            "event_id": event_id,
            "object_type": "response",
            "object_id": response_id,
            "event_datetime": "2026-11-29T12:00:00+00:00",
            "resources": {"respondent_id": response_id, "survey_id": survey_id},
        }
    )


async def _count(db, model: type, *where: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def submit_response(gateway, body: dict[str, Any]) -> dict[str, Any]:
    """A respondent completes a survey in the simulator (which then sends its webhook)."""
    transport = gateway.sources.transports["surveymonkey"]
    headers = {"Authorization": f"bearer {DEMO_TOKENS['surveymonkey']}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sm") as client:
        response = await client.post("/sim/responses", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def wire_simulator(gateway) -> None:
    """Configure the SurveyMonkey simulator to send its webhooks to this gateway."""
    app = gateway.sources.apps["surveymonkey"]
    app.state.webhook = WebhookTarget(
        "http://gateway", SM_CLIENT_ID, SM_SECRET, httpx.ASGITransport(app=gateway.app)
    )


def respondent(world) -> tuple[str, str, str]:
    """(customer id, survey contact id, contact email) of a customer linked everywhere."""
    for customer_id in linked_to_all(world):
        contact = survey_contact(world, world.person_by_customer_id(customer_id))
        if contact is not None:
            return customer_id, contact.contact_id, contact.email
    raise AssertionError("no survey contact in the world")


async def test_simulator_response_reaches_graphql_through_the_webhook(start_gateway, world):
    # given
    customer_id, contact_id, email = respondent(world)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        wire_simulator(gateway)

        # when: the customer answers 2 (a detractor) in SurveyMonkey
        await submit_response(gateway, {"email": email, "contact_id": contact_id, "nps": 2})
        body = await gql(gateway.client, NPS, {"id": global_id("Customer", customer_id)})

    # then
    metrics = {m["name"]: m for m in assert_no_errors(body)["customer"]["metrics"]}
    assert metrics["nps"]["value"] == 2.0
    assert metrics["nps"]["source"] == "surveymonkey"
    assert metrics["nps_category"]["value"] == -1.0


async def test_a_replayed_event_is_acknowledged_and_ignored(start_gateway, world):
    # given
    _, contact_id, email = respondent(world)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        added = await submit_response(gateway, {"email": email, "contact_id": contact_id, "nps": 9})
        event = sm_event("evt-1", added["id"])

        # when
        first = await gateway.client.post(
            "/webhooks/surveymonkey", content=event, headers=sm_headers(event)
        )
        rows = await _count(gateway.db, MetricObservation)
        replay = await gateway.client.post(
            "/webhooks/surveymonkey", content=event, headers=sm_headers(event)
        )

        # then
        assert (first.status_code, first.json()) == (200, {"results": ["recorded"]})
        assert (replay.status_code, replay.json()) == (200, {"results": ["duplicate"]})
        assert await _count(gateway.db, MetricObservation) == rows
        assert await _count(gateway.db, WebhookEvent) == 1


async def test_bad_signature_and_garbage_are_refused(start_gateway):
    # given
    event = sm_event("evt-2")
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        client = gateway.new_client()

        # when
        forged = await client.post(
            "/webhooks/surveymonkey", content=event, headers=sm_headers(event, secret="wrong")
        )
        unsigned = await client.post("/webhooks/surveymonkey", content=event)
        garbage = await client.post(
            "/webhooks/surveymonkey", content=b"{no", headers=sm_headers(b"{no")
        )
        await client.aclose()

        # then
        assert (forged.status_code, unsigned.status_code, garbage.status_code) == (401, 401, 400)
        assert await _count(gateway.db, WebhookEvent) == 0


async def test_an_endpoint_without_its_secret_is_off(start_gateway):
    # given
    event = sm_event("evt-3")
    async with start_gateway() as gateway:
        # when
        response = await gateway.client.post(
            "/webhooks/surveymonkey", content=event, headers=sm_headers(event)
        )

    # then
    assert response.status_code == 404


async def test_an_unknown_respondent_is_queued_for_stewards(start_gateway, world):
    # given
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        wire_simulator(gateway)

        # when
        await submit_response(gateway, {"email": "Stranger@Example.com", "nps": 7})
        steward = gateway.new_client(await gateway.headers_for("steward", "stewardship"))
        analyst = gateway.new_client(await gateway.headers_for("analyst", "analytics"))
        queue = await gql(steward, QUEUE)
        refused = await gql(analyst, QUEUE)
        await steward.aclose()
        await analyst.aclose()

    # then
    (edge,) = assert_no_errors(queue)["unmatchedRespondents"]["edges"]
    assert edge["node"]["system"] == "surveymonkey"
    assert edge["node"]["email"] == "stranger@example.com"
    assert edge["node"]["details"]["nps"] == 7
    assert error_codes(refused) == ["FORBIDDEN"]


def hubspot_event(event_id: int, contact_id: str, kind: str = "contact.propertyChange") -> dict:
    return {
        "eventId": event_id,
        "subscriptionId": 1,
        "portalId": 62515,
        "occurredAt": 1764417600000,
        "subscriptionType": kind,
        "attemptNumber": 0,
        "objectId": int(contact_id),
        "propertyName": "email",
        "changeSource": "CRM",
    }


async def test_hubspot_events_recompute_linked_contacts_and_queue_unknown_ones(
    start_gateway, world
):
    # given
    customer_id = linked_to_all(world)[0]
    contact_id = next(
        link.external_id
        for link in world.links
        if link.customer_id == customer_id and link.system == "hubspot"
    )
    events = [
        hubspot_event(1, contact_id),
        hubspot_event(2, "999999999"),
        hubspot_event(3, "12", kind="deal.creation"),
    ]
    body = orjson.dumps(events)
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        # when
        first = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )
        replay = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )
        recomputed = await _count(
            gateway.db,
            MetricObservation,
            MetricObservation.customer_id == customer_id,
            MetricObservation.source == "recompute",
        )

    # then
    assert first.status_code == 200
    assert first.json() == {"results": ["recorded", "queued", "ignored"]}
    assert replay.json() == {"results": ["duplicate", "duplicate", "duplicate"]}
    assert recomputed > 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (lambda body: hubspot_headers(body, timestamp_ms=int(time.time() * 1000) - 301_000), 401),
        (lambda body: hubspot_headers(body, secret="wrong"), 401),
        (lambda body: {"content-type": "application/json"}, 401),
    ],
    ids=["stale-timestamp", "bad-signature", "unsigned"],
)
async def test_hubspot_refuses_stale_or_forged_requests(start_gateway, headers, status):
    # given
    body = orjson.dumps([hubspot_event(7, "999")])
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        # when
        response = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=headers(body)
        )

        # then
        assert response.status_code == status
        assert await _count(gateway.db, WebhookEvent) == 0


async def test_hubspot_garbage_is_a_bad_request(start_gateway):
    # given
    body = b'{"not": "a list"}'
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        # when
        response = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )

    # then
    assert response.status_code == 400


async def test_hubspot_simulator_change_reaches_the_gateway_and_recomputes(start_gateway, world):
    # given
    customer_id = linked_to_all(world)[0]
    contact_id = next(
        link.external_id
        for link in world.links
        if link.customer_id == customer_id and link.system == "hubspot"
    )
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        app = gateway.sources.apps["hubspot"]
        app.state.webhook = HubSpotWebhookTarget(
            "http://gateway", HUBSPOT_SECRET, httpx.ASGITransport(app=gateway.app)
        )
        transport = gateway.sources.transports["hubspot"]
        headers = {"Authorization": f"Bearer {DEMO_TOKENS['hubspot']}"}

        # when
        async with httpx.AsyncClient(transport=transport, base_url="http://hs") as client:
            response = await client.post(
                f"/sim/contacts/{contact_id}/changes",
                json={"property": "lifecyclestage", "value": "customer"},
                headers=headers,
            )
        recomputed = await _count(
            gateway.db,
            MetricObservation,
            MetricObservation.customer_id == customer_id,
            MetricObservation.source == "recompute",
        )
        events = await _count(gateway.db, WebhookEvent, WebhookEvent.customer_id == customer_id)

    # then
    assert response.status_code == 202
    assert response.json() == {"webhook_status": 200}
    assert events == 1
    assert recomputed > 0


async def test_hubspot_signature_covers_the_public_url_behind_a_proxy(start_gateway):
    # given: HubSpot calls the public URL; the gateway sees its internal one
    body = orjson.dumps([hubspot_event(8, "999")])
    public = "https://c360.example.com/webhooks/hubspot"
    settings = {**WEBHOOK_SETTINGS, "webhook_public_url": "https://c360.example.com/"}
    async with start_gateway(**settings) as gateway:
        # when
        signed_public = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body, url=public)
        )
        signed_internal = await gateway.client.post(
            "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
        )

    # then
    assert signed_public.status_code == 200
    assert signed_internal.status_code == 401
