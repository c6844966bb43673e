"""Changes heard from source systems' webhooks become outbox events too."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from app.events.kinds import EventKind
from app.privacy.principals import Purpose, Role
from app.store.models import OutboxEvent
from tests.events.ws_client import open_socket, subscribed
from tests.graphql_client import global_id
from tests.metrics.test_webhooks import (
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
