"""Batching (upstream calls per page) and the source cache on both backends."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from app.cache import MemoryCacheBackend, RedisCacheBackend, SourceCache
from app.graph import CustomerGraph, SourceKind, SourceStatus
from app.graph.kinds import cache_codecs
from connectors.registry import build_connectors
from simulators import FaultSettings
from simulators.config import demo_environment
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import connectors_config, linked_to_all

REDIS_URL = os.environ.get("C360_TEST_REDIS_URL")
PAGE_WITH_CRM = "{ customers(first: 50) { edges { node { crm { lifecycleStage } } } } }"


async def test_a_page_of_50_customers_asking_for_crm_fields_makes_one_hubspot_batch_call(
    start_gateway,
):
    # when
    async with start_gateway() as gateway:
        body = await gql(gateway.client, PAGE_WITH_CRM)

        # then
        assert "errors" not in body, error_codes(body)
        assert gateway.sources.requests("hubspot") == 1


async def test_a_second_request_is_served_from_the_cache(start_gateway):
    # when
    async with start_gateway() as gateway:
        await gql(gateway.client, PAGE_WITH_CRM)
        body = await gql(gateway.client, PAGE_WITH_CRM)

        # then
        assert "errors" not in body
        assert gateway.sources.requests("hubspot") == 1


@pytest.fixture(params=["memory", "redis"])
async def cache(request):
    if request.param == "memory":
        backend = MemoryCacheBackend(1000)
    else:
        if not REDIS_URL:
            pytest.skip("C360_TEST_REDIS_URL is not set")
        backend = RedisCacheBackend.from_url(
            REDIS_URL, cache_codecs(), prefix=f"c360-test:{uuid.uuid4().hex}"
        )
    source_cache = SourceCache(backend)
    yield source_cache
    await source_cache.aclose()


@pytest.fixture
async def graph(cache, sources):
    config = connectors_config(ttl=60, stale=300)
    connectors = build_connectors(config, environ=demo_environment(), transports=sources.transports)
    graph = CustomerGraph(connectors, config.enabled(), cache)
    yield graph
    for connector in connectors.values():
        await connector.aclose()


def _crm_ids(world, count=5):
    return [link.external_id for link in world.links if link.system == "hubspot"][:count]


async def test_cache_hit_makes_no_upstream_call(graph, sources, world):
    # given
    ids = _crm_ids(world)
    first = await graph.fetch("hubspot", SourceKind.CRM_TICKETS, ids)

    # when
    second = await graph.fetch("hubspot", SourceKind.CRM_TICKETS, ids)

    # then
    assert sources.requests("hubspot") == 2  # associations + batch read, once
    assert [second[i].value for i in ids] == [first[i].value for i in ids]
    assert {second[i].report.status for i in ids} == {SourceStatus.OK}


async def test_cache_expiry_fetches_again(graph, sources, world):
    # given
    ids = _crm_ids(world)
    await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)
    now = time.time()
    graph.cache.clock = lambda: now + 61

    # when
    answers = await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)

    # then
    assert sources.requests("hubspot") == 2
    assert {answers[i].report.status for i in ids} == {SourceStatus.OK}


async def test_cache_serves_stale_on_error_within_the_window_then_fails(graph, sources, world):
    # given
    ids = _crm_ids(world)
    fresh = await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)
    sources.break_("hubspot", FaultSettings(error_rate=1.0))
    now = time.time()

    # when
    graph.cache.clock = lambda: now + 120
    stale = await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)
    graph.cache.clock = lambda: now + 400
    gone = await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)

    # then
    assert [stale[i].value for i in ids] == [fresh[i].value for i in ids]
    assert {stale[i].report.status for i in ids} == {SourceStatus.STALE}
    assert {gone[i].report.status for i in ids} == {SourceStatus.ERROR}
    assert all(gone[i].value is None for i in ids)


async def test_invalidate_customer_forgets_its_source_data(graph, sources, world):
    # given
    ids = _crm_ids(world, 2)
    await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)

    # when
    await graph.invalidate_customer([("hubspot", ids[0])])
    await graph.fetch("hubspot", SourceKind.CRM_CONTACT, ids)

    # then: only the forgotten id was fetched again
    assert sources.requests("hubspot") == 2


CRM_OF = """
query($id: ID!) { customer(id: $id) { crm { lifecycleStage } sources { system fetchedAt } } }
"""
RECORD_CONSENT = """
mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""


def _hubspot_fetched_at(body: dict) -> str:
    sources = assert_no_errors(body)["customer"]["sources"]
    return next(source["fetchedAt"] for source in sources if source["system"] == "hubspot")


async def test_a_consent_change_drops_the_customers_cached_source_data(start_gateway, world):
    # given a customer whose CRM record is cached
    node = global_id("Customer", linked_to_all(world)[0])
    async with start_gateway() as gateway:
        first = _hubspot_fetched_at(await gql(gateway.client, CRM_OF, {"id": node}))
        cached = _hubspot_fetched_at(await gql(gateway.client, CRM_OF, {"id": node}))
        assert gateway.sources.requests("hubspot") == 1
        assert cached == first

        # when the customer withdraws a consent
        body = await gql(
            gateway.client,
            RECORD_CONSENT,
            {
                "input": {
                    "customerId": node,
                    "purpose": "MARKETING",
                    "channel": "EMAIL",
                    "status": "WITHDRAWN",
                }
            },
        )
        assert "errors" not in body, body
        after = _hubspot_fetched_at(await gql(gateway.client, CRM_OF, {"id": node}))

        # then the CRM record was fetched again (by the metric recompute the change runs)
        assert after > first


SUPPORT_DESK_CRM = """
query($id: ID!) {
  customer(id: $id) {
    tickets { subject }
    interactions(first: 20) { edges { node { source } } }
  }
}
"""


async def test_one_customers_tickets_and_interactions_read_its_crm_links_once(start_gateway, world):
    # given a customer with one CRM contact, what that contact has in the CRM, and a CRM
    # that takes a moment to answer (as over a network)
    contacts: dict[str, list[str]] = {}
    for link in world.links:
        if link.system == "hubspot":
            contacts.setdefault(link.customer_id, []).append(link.external_id)
    async with start_gateway() as gateway:
        gateway.sources.break_("hubspot", FaultSettings(latency_ms=20))
        simulator = gateway.sources.apps["hubspot"].state.simulator
        customer_id, (contact_id,) = next(
            (c, ids)
            for c, ids in contacts.items()
            if len(ids) == 1 and simulator.linked_ids(ids[0], "tickets")
        )
        linked_types = [
            t
            for t in ("tickets", "calls", "emails", "notes", "meetings")
            if simulator.linked_ids(contact_id, t)
        ]

        # when
        body = await gql(
            gateway.client, SUPPORT_DESK_CRM, {"id": global_id("Customer", customer_id)}
        )

        # then one contact read (every association type) and one batch read per linked type,
        # where the v4 associations batch read took one call per type (10 calls, not 6)
        assert "errors" not in body, error_codes(body)
        assert gateway.sources.requests("hubspot") == 1 + len(linked_types)
