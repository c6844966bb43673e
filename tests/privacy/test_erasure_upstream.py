"""Erasure in the source systems, against the simulators: outcomes per system, retries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.cache import CacheKey, CachePolicy
from app.privacy.suppression import Identifiers, suppressed_among
from app.store.models import SourceLink
from connectors.odoo.connector import ERASED_PARTNER_NAME
from connectors.registry import ConnectorsConfig
from simulators import FaultSettings
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import SYSTEMS, connectors_config, linked_to_all, private_copy

ERASE = """
mutation Erase($id: ID!) {
  eraseCustomer(customerId: $id) {
    complete completedAt
    systems { system state attempts detail }
  }
}
"""
WARM_CACHE = """
query Warm($id: ID!) { customer(id: $id) { crm { email } orders(first: 1) { totalCount } } }
"""
EXPORT = "query Export($id: ID!) { exportCustomerData(customerId: $id) { customer } }"


@pytest.fixture
def seeded_url(seeded_url: str, tmp_path: Path) -> str:
    """A private copy of the seeded store: erasure writes to it."""
    return private_copy(seeded_url, tmp_path)


async def _links(gateway, customer_id: str) -> dict[str, str]:
    async with gateway.db.session() as session:
        statement = select(SourceLink).where(SourceLink.customer_id == customer_id)
        rows = await session.scalars(statement)
        return {row.system: row.external_id for row in rows if row.system in SYSTEMS}


async def test_reliability_17_erasure_reaches_every_linked_system_and_the_cache(
    start_gateway, world
):
    # given: a customer linked everywhere, whose source data is cached
    customer_id = linked_to_all(world)[0]
    node = global_id("Customer", customer_id)
    async with start_gateway() as gateway:
        links = await _links(gateway, customer_id)
        assert_no_errors(await gql(gateway.client, WARM_CACHE, {"id": node}))

        # when
        body = await gql(gateway.client, ERASE, {"id": node})

        # then: every system reports the person erased
        erasure = assert_no_errors(body)["eraseCustomer"]
        assert erasure["complete"] is True
        assert erasure["systems"] == [
            {"system": system, "state": "DONE", "attempts": 1, "detail": None}
            for system in sorted(SYSTEMS)
        ]
        # the simulators hold nothing personal any more
        connectors = gateway.graph.connectors
        assert await connectors["hubspot"].fetch_contacts([links["hubspot"]]) == {}
        assert await connectors["surveymonkey"].fetch_responses([links["surveymonkey"]]) == {}
        assert await connectors["odoo"].fetch_partners([links["odoo"]]) == {}
        # the support desk, described by configuration, deleted the user permanently
        assert await connectors["zendesk"].fetch_contacts([links["zendesk"]]) == {}
        assert links["zendesk"] in gateway.sources.apps["zendesk"].state.simulator.purged
        (partner,) = await connectors["odoo"].execute_kw(
            "res.partner",
            "read",
            [[int(links["odoo"])], ["name", "email", "phone", "street", "active"]],
            {"context": {"active_test": False}},
        )
        assert partner == {
            "id": int(links["odoo"]),
            "name": ERASED_PARTNER_NAME,
            "email": False,
            "phone": False,
            "street": False,
            "active": False,
        }
        # nothing about them is left in the source-data cache
        graph = gateway.graph
        keys = [
            CacheKey(system, kind.value, external_id)
            for system, external_id in links.items()
            for kind in graph.kinds_of(system)
        ]
        assert await graph.cache.lookup(keys, CachePolicy(ttl=3600, stale_if_error=3600)) == {}
        # an export finds no one, and a sync would find each source identity suppressed
        assert error_codes(await gql(gateway.client, EXPORT, {"id": node})) == ["NOT_FOUND"]
        async with gateway.db.session() as session:
            for system, external_id in links.items():
                assert await suppressed_among(
                    session,
                    gateway.app.state.settings,
                    Identifiers(source_ids=[(system, external_id)]),
                )


async def test_reliability_17_a_failed_system_leaves_a_partial_erasure_that_a_retry_completes(
    start_gateway, world
):
    # given: the CRM is down
    node = global_id("Customer", linked_to_all(world)[1])
    async with start_gateway() as gateway:
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0, error_status=503))

        # when
        partial = assert_no_errors(await gql(gateway.client, ERASE, {"id": node}))

        # then: partial, with the failure named per system
        states = {s["system"]: s for s in partial["eraseCustomer"]["systems"]}
        assert partial["eraseCustomer"]["complete"] is False
        assert partial["eraseCustomer"]["completedAt"] is None
        assert states["hubspot"]["state"] == "FAILED"
        assert states["hubspot"]["detail"].startswith("ERROR")
        assert states["odoo"]["state"] == "DONE"
        assert states["surveymonkey"]["state"] == "DONE"

        # when: the CRM is back and the erasure is retried
        gateway.sources.break_("hubspot", FaultSettings())
        odoo_calls = gateway.sources.requests("odoo")
        retried = assert_no_errors(await gql(gateway.client, ERASE, {"id": node}))

        # then: complete, and only the failed system was asked again
        done = retried["eraseCustomer"]
        assert done["complete"] is True
        assert {s["system"]: (s["state"], s["attempts"]) for s in done["systems"]} == {
            "hubspot": ("DONE", 2),
            "odoo": ("DONE", 1),
            "surveymonkey": ("DONE", 1),
            "zendesk": ("DONE", 1),
        }
        assert gateway.sources.requests("odoo") == odoo_calls

        # when: called once more
        calls = {system: gateway.sources.requests(system) for system in SYSTEMS}
        again = assert_no_errors(await gql(gateway.client, ERASE, {"id": node}))

        # then: the same answer, and no system is called
        assert again == retried
        assert {system: gateway.sources.requests(system) for system in SYSTEMS} == calls


async def test_a_system_that_no_longer_knows_the_person_reports_not_found(start_gateway, world):
    # given: the CRM contact was already deleted in HubSpot itself
    customer_id = linked_to_all(world)[2]
    async with start_gateway() as gateway:
        links = await _links(gateway, customer_id)
        gateway.sources.apps["hubspot"].state.simulator.deleted.add(links["hubspot"])

        # when
        body = await gql(gateway.client, ERASE, {"id": global_id("Customer", customer_id)})

    # then: nothing to erase there counts as finished
    erasure = assert_no_errors(body)["eraseCustomer"]
    states = {s["system"]: s["state"] for s in erasure["systems"]}
    assert states == {
        "hubspot": "NOT_FOUND",
        "odoo": "DONE",
        "surveymonkey": "DONE",
        "zendesk": "DONE",
    }
    assert erasure["complete"] is True


async def test_a_system_that_cannot_erase_is_named_and_keeps_the_erasure_open(start_gateway, world):
    # given: the support desk described without erase steps
    tables = connectors_config().model_dump(mode="json")["connectors"]
    del tables["zendesk"]["mapping"]["erase"]
    config = ConnectorsConfig.model_validate({"connectors": tables})
    customer_id = linked_to_all(world)[0]
    async with start_gateway(config=config) as gateway:
        # when
        body = await gql(gateway.client, ERASE, {"id": global_id("Customer", customer_id)})

    # then: the others erased it; the support desk is named, and the erasure stays open
    erasure = assert_no_errors(body)["eraseCustomer"]
    states = {entry["system"]: entry["state"] for entry in erasure["systems"]}
    assert states == {
        "hubspot": "DONE",
        "odoo": "DONE",
        "surveymonkey": "DONE",
        "zendesk": "UNSUPPORTED",
    }
    assert erasure["complete"] is False


async def test_a_described_erasure_asked_again_finishes_what_stopped_half_way(start_gateway, world):
    # given: Zendesk deleted the user, but the permanent delete never came (a failed first try)
    customer_id = linked_to_all(world)[3]
    async with start_gateway() as gateway:
        links = await _links(gateway, customer_id)
        desk = gateway.sources.apps["zendesk"].state.simulator
        desk.deleted.add(links["zendesk"])

        # when
        body = await gql(gateway.client, ERASE, {"id": global_id("Customer", customer_id)})

    # then: the first step's 404 is a step done before; the permanent delete runs
    states = {s["system"]: s["state"] for s in assert_no_errors(body)["eraseCustomer"]["systems"]}
    assert states["zendesk"] == "DONE"
    assert links["zendesk"] in desk.purged
