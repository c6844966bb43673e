"""Webhooks reach `/webhooks/<system name>` and are read as the system's type says: a second
HubSpot portal (`hubspot_eu`, `type = "hubspot"`) has its own URL, signing secret, event ids and
connector, and its events name it as their source."""

from __future__ import annotations

import httpx
import orjson
import pytest

from app.privacy.principals import Purpose, Role
from connectors.config import ConnectorConfigError
from connectors.registry import ConnectorsConfig
from simulators import create_simulator_app
from simulators.config import DEMO_TOKENS
from simulators.webhooks import HubSpotWebhookTarget
from tests.events.ws_client import open_socket, subscribed
from tests.graphql_client import assert_no_errors, global_id, gql
from tests.metrics.test_webhooks import WEBHOOK_SETTINGS, hubspot_event, hubspot_headers
from tests.sources.conftest import connectors_config, linked_to_all

SECOND = "hubspot_eu"
EU_SECRET_ENV = "C360_HUBSPOT_EU_WEBHOOK_SECRET"
EU_SECRET = "hubspot-eu-client-secret-for-tests"
EU_URL = f"http://gateway/webhooks/{SECOND}"
EVENTS = """
subscription($id: ID!) {
  customerEvents(customerId: $id, kinds: [PROFILE_CHANGED, TICKET_CHANGED]) {
    kind changed source
  }
}
"""
LINK = "mutation($input: LinkSourceIdentityInput!) { linkSourceIdentity(input: $input) { id } }"
TICKETS = "query($id: ID!) { customer(id: $id) { tickets { system externalId } } }"


def _config_with_second_portal() -> ConnectorsConfig:
    """The demo's connectors plus a second HubSpot portal receiving its own webhooks."""
    tables = connectors_config().model_dump(mode="json")["connectors"]
    tables[SECOND] = {
        **tables["hubspot"],
        "system": SECOND,
        "type": "hubspot",
        "webhook": {"secret_env": EU_SECRET_ENV},
    }
    return ConnectorsConfig.model_validate({"connectors": tables})


async def _customers_with_a_ticket(gateway, world) -> tuple[str, str, str, str]:
    """Customers A and B (one HubSpot contact each), B's contact and one of B's tickets (the
    second portal serves the same world: the same contact and tickets are there too)."""
    found = []
    for customer_id in linked_to_all(world):
        person = world.person_by_customer_id(customer_id)
        if len(world.hubspot_contact_ids(person.key)) != 1:
            continue
        body = await gql(gateway.client, TICKETS, {"id": global_id("Customer", customer_id)})
        tickets = assert_no_errors(body)["customer"]["tickets"]
        ids = [t["externalId"] for t in tickets if t["system"] == "hubspot"]
        found.append((customer_id, world.hubspot_contact_ids(person.key)[0], ids))
        with_tickets = [f for f in found[1:] if f[2]]
        if with_tickets:
            (a, _, _), (b, contact, ids) = found[0], with_tickets[0]
            return a, b, contact, ids[0]
    raise AssertionError("the world has no two such customers")


async def _next(socket, operation: str) -> dict:
    return (await socket.next_event(operation))["data"]["customerEvents"]


@pytest.fixture
def eu_portal(world):
    return create_simulator_app("hubspot", world)


async def test_a_second_portals_webhooks_reach_its_customers_under_its_own_name(
    start_gateway, world, eu_portal
):
    # given customer A linked to B's contact in the second portal (B keeps it in the first)
    async with start_gateway(
        config=_config_with_second_portal(),
        transports={SECOND: httpx.ASGITransport(app=eu_portal)},
        environ={EU_SECRET_ENV: EU_SECRET},
        **WEBHOOK_SETTINGS,
    ) as gateway:
        a, b, contact, ticket = await _customers_with_a_ticket(gateway, world)
        link = {"customerId": global_id("Customer", a), "system": SECOND, "externalId": contact}
        assert_no_errors(await gql(gateway.client, LINK, {"input": link}))
        eu_portal.state.webhook = HubSpotWebhookTarget(
            "http://gateway", EU_SECRET, httpx.ASGITransport(app=gateway.app), system=SECOND
        )
        headers = await gateway.headers_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
        async with open_socket(gateway.app) as a_socket, open_socket(gateway.app) as b_socket:
            await a_socket.init(headers)
            await b_socket.init(headers)
            a_events = await a_socket.subscribe(EVENTS, {"id": global_id("Customer", a)})
            b_events = await b_socket.subscribe(EVENTS, {"id": global_id("Customer", b)})
            await subscribed(gateway.app, 2)

            # when both portals deliver a change of that contact under one event id, the
            # second's signed with its own secret (and once with the first portal's)
            body = orjson.dumps([hubspot_event(7, contact)])
            forged = await gateway.client.post(
                f"/webhooks/{SECOND}", content=body, headers=hubspot_headers(body, url=EU_URL)
            )
            second = await gateway.client.post(
                f"/webhooks/{SECOND}",
                content=body,
                headers=hubspot_headers(body, secret=EU_SECRET, url=EU_URL),
            )
            first = await gateway.client.post(
                "/webhooks/hubspot", content=body, headers=hubspot_headers(body)
            )
            heard_by_a = await _next(a_socket, a_events)
            heard_by_b = await _next(b_socket, b_events)

            # and an agent moves B's ticket along in the second portal, whose webhook names
            # only the ticket (its contact is read from the second portal)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=eu_portal), base_url="http://hubspot-eu"
            ) as crm:
                moved = await crm.post(
                    f"/sim/tickets/{ticket}/changes",
                    json={"property": "hs_pipeline_stage", "value": "4"},
                    headers={"Authorization": f"Bearer {DEMO_TOKENS['hubspot']}"},
                )
            ticket_heard_by_a = await _next(a_socket, a_events)

    # then each portal's event reached the customer linked in that portal, under its name
    assert forged.status_code == 401
    assert (second.json(), first.json()) == ({"results": ["recorded"]},) * 2
    assert heard_by_a == {"kind": "PROFILE_CHANGED", "changed": ["email"], "source": SECOND}
    assert heard_by_b == {"kind": "PROFILE_CHANGED", "changed": ["email"], "source": "hubspot"}
    assert moved.json() == {"webhook_status": 200}
    assert ticket_heard_by_a == {
        "kind": "TICKET_CHANGED",
        "changed": ["hs_pipeline_stage"],
        "source": SECOND,
    }


async def test_a_system_without_webhooks_is_not_found(start_gateway):
    body = orjson.dumps([hubspot_event(8, "1")])
    async with start_gateway(**WEBHOOK_SETTINGS) as gateway:
        # the ERP sends none; no system is named so
        answers = [
            await gateway.client.post(f"/webhooks/{name}", content=body, headers={})
            for name in ("odoo", "nowhere")
        ]
    assert [a.status_code for a in answers] == [404, 404]


async def test_a_webhook_secret_variable_that_is_unset_stops_the_start(start_gateway, eu_portal):
    with pytest.raises(ConnectorConfigError, match=EU_SECRET_ENV):
        async with start_gateway(
            config=_config_with_second_portal(),
            transports={SECOND: httpx.ASGITransport(app=eu_portal)},
        ):
            pass
