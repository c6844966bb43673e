"""Two systems of one kind at once: a second HubSpot portal beside the first (issue 11 item 2).

Both portals serve tickets and engagements: `tickets` and the merged `interactions` timeline
hold both, each item naming its system, and `sources` reports each portal on its own.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connectors.registry import ConnectorsConfig
from simulators import FaultSettings, create_simulator_app
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import connectors_config, linked_to_all, private_copy

SECOND = "hubspot_eu"


@pytest.fixture
def seeded_url(seeded_url: str, tmp_path: Path) -> str:
    """A private copy of the seeded store: the tests link identities in it."""
    return private_copy(seeded_url, tmp_path)


TICKETS = """
query Tickets($id: ID!) {
  customer(id: $id) {
    tickets { system externalId createdAt }
    interactions(first: 100, channels: ["ticket"]) { edges { node { source } } }
    sources { system status }
  }
}
"""
LINK = """
mutation Link($input: LinkSourceIdentityInput!) {
  linkSourceIdentity(input: $input) { id }
}
"""


def _config_with_second_portal() -> ConnectorsConfig:
    """The demo's connectors plus a second HubSpot portal, `hubspot_eu`."""
    tables = connectors_config().model_dump(mode="json")["connectors"]
    tables[SECOND] = {**tables["hubspot"], "system": SECOND, "type": "hubspot"}
    return ConnectorsConfig.model_validate({"connectors": tables})


async def _tickets(gateway, customer_id: str) -> dict:
    return await gql(gateway.client, TICKETS, {"id": global_id("Customer", customer_id)})


async def _two_customers_with_tickets(gateway, world) -> tuple[tuple[str, list], str, set[str]]:
    """Customer A with its tickets, and another customer B's HubSpot contact id and ticket ids
    (the second portal serves the same world: B's contact has the same tickets there)."""
    found = []
    for customer_id in linked_to_all(world):
        if len(world.hubspot_contact_ids(world.person_by_customer_id(customer_id).key)) != 1:
            continue
        tickets = assert_no_errors(await _tickets(gateway, customer_id))["customer"]["tickets"]
        if any(t["system"] == "hubspot" for t in tickets):
            found.append((customer_id, tickets))
        if len(found) == 2:
            (a, a_tickets), (b, b_tickets) = found
            person = world.person_by_customer_id(b)
            b_ids = {t["externalId"] for t in b_tickets if t["system"] == "hubspot"}
            return (a, a_tickets), world.hubspot_contact_ids(person.key)[0], b_ids
    raise AssertionError("the world has no two customers with tickets")


async def _link(gateway, customer_id: str, system: str, external_id: str) -> dict:
    variables = {
        "input": {
            "customerId": global_id("Customer", customer_id),
            "system": system,
            "externalId": external_id,
        }
    }
    return await gql(gateway.client, LINK, variables)


async def test_two_crms_serve_tickets_and_timeline_side_by_side(start_gateway, world, sources):
    # given: customer A linked to the first portal, and to a contact of the second portal
    eu_app = create_simulator_app("hubspot", world)
    async with start_gateway(
        config=_config_with_second_portal(),
        transports={SECOND: httpx.ASGITransport(app=eu_app)},
    ) as gateway:
        (a, a_tickets), b_contact, b_ticket_ids = await _two_customers_with_tickets(gateway, world)
        assert_no_errors(await _link(gateway, a, SECOND, b_contact))

        # when
        both = assert_no_errors(await _tickets(gateway, a))["customer"]

    # then: the first portal's tickets and the second's, newest first, each naming its system
    by_system: dict[str, set[str]] = {}
    for ticket in both["tickets"]:
        by_system.setdefault(ticket["system"], set()).add(ticket["externalId"])
    expected: dict[str, set[str]] = {SECOND: b_ticket_ids}
    for ticket in a_tickets:  # the first portal's, and any other linked system's (Zendesk)
        expected.setdefault(ticket["system"], set()).add(ticket["externalId"])
    assert by_system == expected
    created = [t["createdAt"] for t in both["tickets"]]
    assert created == sorted(created, reverse=True)
    sources_in_timeline = {edge["node"]["source"] for edge in both["interactions"]["edges"]}
    assert SECOND in sources_in_timeline
    assert {s["system"]: s["status"] for s in both["sources"]}[SECOND] == "OK"
    assert {s["system"]: s["status"] for s in both["sources"]}["hubspot"] == "OK"
    assert eu_app.state.gate.requests > 0


async def test_one_crm_down_leaves_the_other_crms_tickets_and_reports_it(
    start_gateway, world, sources
):
    # given: the second portal is down
    eu_app = create_simulator_app("hubspot", world, FaultSettings(error_rate=1.0))
    async with start_gateway(
        config=_config_with_second_portal(),
        transports={SECOND: httpx.ASGITransport(app=eu_app)},
    ) as gateway:
        (a, own), b_contact, _ = await _two_customers_with_tickets(gateway, world)
        assert_no_errors(await _link(gateway, a, SECOND, b_contact))

        # when
        body = await _tickets(gateway, a)

    # then: the first portal's tickets stay; the failed portal is named in an error
    customer = body["data"]["customer"]
    assert customer["tickets"] == own
    assert "SOURCE_UNAVAILABLE" in error_codes(body)
    failed = [e for e in body["errors"] if e["extensions"].get("source") == SECOND]
    assert {tuple(e["path"][-1:]) for e in failed} >= {("tickets",)}
    assert {s["system"]: s["status"] for s in customer["sources"]}[SECOND] != "OK"
