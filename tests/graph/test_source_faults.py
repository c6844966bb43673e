"""RELIABILITY 18, 21, 22 and every fault of every system: partial data, status, error code."""

from __future__ import annotations

import time

import httpx
import pytest

from simulators import FaultSettings
from tests.cancellation import CancellationRecorder
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import SYSTEMS, connectors_config, linked_to_all

# One field per system, the merged timeline, and the per-system report.
EVERY_SYSTEM = """
query Every($id: ID!) {
  customer(id: $id) {
    displayName
    orders(first: 1) { totalCount }
    crm { lifecycleStage }
    surveyResponses(first: 1) { totalCount }
    tickets { system }
    interactions(first: 5) { edges { node { source } } }
    sources { system status fetchedAt }
  }
}
"""
# The field each system's failure shows on: null when it is the field's only system, else
# the other systems' data (tickets: the CRM's and the support desk's).
FIELD_OF = {
    "odoo": "orders",
    "hubspot": "crm",
    "surveymonkey": "surveyResponses",
    "zendesk": "tickets",
}
SHARED_FIELDS = {"tickets"}
ORDERS_ONLY = "query($id: ID!) { customer(id: $id) { orders(first: 3) { totalCount } } }"
CRM_ONLY = "query($id: ID!) { customer(id: $id) { crm { lifecycleStage } } }"


def _refusing(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _rate_limited(request: httpx.Request) -> httpx.Response:  # noqa: ARG001
    return httpx.Response(429, headers={"Retry-After": "30"}, json={"message": "slow down"})


# fault -> (simulator faults or a replacement transport, the status `sources` reports)
FAULTS = {
    "timeout": (FaultSettings(timeout_rate=1.0, stall_seconds=30), "TIMEOUT"),
    "5xx": (FaultSettings(error_rate=1.0, error_status=503), "ERROR"),
    "429": (httpx.MockTransport(_rate_limited), "RATE_LIMITED"),
    "401": ("wrong-token", "ERROR"),
    "connection_refused": (httpx.MockTransport(_refusing), "ERROR"),
    "malformed_json": (FaultSettings(malformed_rate=1.0, malformed_kind="json"), "ERROR"),
}


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_every_fault_of_every_system_gives_partial_data(start_gateway, world, system, fault):
    # given
    node = global_id("Customer", linked_to_all(world)[0])
    cause, status = FAULTS[fault]
    transports = {system: cause} if isinstance(cause, httpx.MockTransport) else {}
    # A short budget for the stalled system keeps the case quick; the others keep the suite's
    # budget, so that on a busy machine only the broken system is reported.
    stalled = {"timeouts": {"connect": 0.2, "read": 0.5, "budget": 0.5}}
    config = connectors_config(**({system: stalled} if fault == "timeout" else {}))

    async with start_gateway(config=config, transports=transports) as gateway:
        if isinstance(cause, FaultSettings):
            gateway.sources.break_(system, cause)
        elif cause == "wrong-token":
            gateway.sources.apps[system].state.gate.token = "not-our-token"

        # when
        body = await gql(gateway.client, EVERY_SYSTEM, {"id": node})

    # then
    customer = body["data"]["customer"]
    assert customer["displayName"]
    field = FIELD_OF[system]
    if field in SHARED_FIELDS:
        assert customer[field] is not None
        assert system not in {item["system"] for item in customer[field]}
    else:
        assert customer[field] is None
    for other in set(SYSTEMS) - {system}:
        assert customer[FIELD_OF[other]] is not None
    assert customer["interactions"]["edges"], "the other sources still fill the timeline"
    reports = {report["system"]: report for report in customer["sources"]}
    assert reports[system]["status"] == status
    assert reports[system]["fetchedAt"] is None
    assert {reports[other]["status"] for other in set(SYSTEMS) - {system}} == {"OK"}
    assert set(error_codes(body)) == {"SOURCE_UNAVAILABLE"}
    assert {error["extensions"]["source"] for error in body["errors"]} == {system}
    paths = sorted(tuple(error["path"]) for error in body["errors"])
    assert ("customer", FIELD_OF[system]) in paths
    # Every system of the demo contributes to the timeline (orders, tickets and engagements,
    # survey answers), so a failed one is named there too.
    assert ("customer", "interactions") in paths


async def test_reliability_18_a_stalled_source_is_given_up_on_at_its_budget(
    start_gateway, sources, world
):
    # given a CRM whose every answer would come after 30 s, far past its 0.5 s budget
    node = global_id("Customer", linked_to_all(world)[0])
    config = connectors_config(hubspot={"timeouts": {"connect": 0.2, "read": 0.5, "budget": 0.5}})
    crm = CancellationRecorder(sources.transports["hubspot"])
    async with start_gateway(config=config, transports={"hubspot": crm}) as gateway:
        gateway.sources.break_("hubspot", FaultSettings(timeout_rate=1.0, stall_seconds=30))

        # when
        body = await gql(gateway.client, EVERY_SYSTEM, {"id": node})
        await crm.settled()

    # then no CRM request was waited out to its answer: the budget cut each short
    assert crm.started >= 1
    assert (crm.cancelled, crm.answered, crm.failed) == (crm.started, 0, 0)
    customer = body["data"]["customer"]
    assert customer["crm"] is None
    assert customer["orders"] is not None
    crm_errors = [e for e in body["errors"] if e["path"] == ["customer", "crm"]]
    assert len(crm_errors) == 1
    assert crm_errors[0]["extensions"] == {
        "code": "SOURCE_UNAVAILABLE",
        "source": "hubspot",
        "status": "TIMEOUT",
    }
    timeline_errors = [e for e in body["errors"] if e["path"] == ["customer", "interactions"]]
    assert timeline_errors[0]["extensions"]["source"] == "hubspot"


async def test_reliability_21_a_slow_crm_is_never_called_by_a_query_not_touching_it(
    start_gateway, world
):
    # given
    node = global_id("Customer", linked_to_all(world)[0])
    async with start_gateway() as gateway:
        gateway.sources.break_("hubspot", FaultSettings(latency_ms=5_000))

        # when
        body = await gql(gateway.client, ORDERS_ONLY, {"id": node})

        # then
        assert assert_no_errors(body)["customer"]["orders"]["totalCount"] >= 0
        assert gateway.sources.requests("hubspot") == 0
        assert gateway.sources.requests("odoo") > 0


async def test_reliability_21_a_sources_connection_pool_is_never_exceeded(start_gateway):
    # given
    limit = 2
    # Calls queue for the two slots within one budget: a loaded CI machine needed more than 5 s.
    config = connectors_config(budget=30.0, hubspot={"max_concurrency": limit})
    query = """{ customers(first: 20) { edges { node {
        crm { lifecycleStage } tickets { status } interactions(first: 3) { edges { cursor } }
    } } } }"""
    async with start_gateway(config=config) as gateway:
        gateway.sources.break_("hubspot", FaultSettings(latency_ms=20))

        # when
        body = await gql(gateway.client, query)

        # then
        assert "errors" not in body, error_codes(body)[:3]
        client = gateway.graph.connectors["hubspot"].client
        assert client.upstream_requests > limit
        assert client.peak_in_flight <= limit


async def test_reliability_22_stale_data_is_served_within_the_stale_if_error_window(
    start_gateway, world
):
    # given: a cached CRM answer, then the CRM goes down
    node = global_id("Customer", linked_to_all(world)[0])
    config = connectors_config(ttl=60, stale=300)
    async with start_gateway(config=config) as gateway:
        fresh = assert_no_errors(await gql(gateway.client, CRM_ONLY, {"id": node}))
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0))
        now = time.time()
        gateway.graph.cache.clock = lambda: now + 120  # past the TTL, within the window

        # when
        body = await gql(gateway.client, CRM_ONLY + " ", {"id": node})
        sources = await gql(
            gateway.client,
            "query($id: ID!) { customer(id: $id) { crm { lifecycleStage } "
            "sources { system status fetchedAt } } }",
            {"id": node},
        )

    # then
    assert assert_no_errors(body)["customer"]["crm"] == fresh["customer"]["crm"]
    reports = {r["system"]: r for r in assert_no_errors(sources)["customer"]["sources"]}
    assert reports["hubspot"]["status"] == "STALE"
    assert reports["hubspot"]["fetchedAt"] is not None


async def test_a_stale_answer_has_no_error_and_names_what_is_stale_in_extensions(
    start_gateway, world
):
    # given: a cached CRM answer, then the CRM goes down
    node = global_id("Customer", linked_to_all(world)[0])
    query = (
        "query($id: ID!) { customer(id: $id) { crm { lifecycleStage } "
        "sources { system status fetchedAt } } }"
    )
    config = connectors_config(ttl=60, stale=300)
    async with start_gateway(config=config) as gateway:
        fresh = await gql(gateway.client, query, {"id": node})
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0))
        now = time.time()
        gateway.graph.cache.clock = lambda: now + 120  # past the TTL, within the window

        # when
        stale = await gql(gateway.client, query, {"id": node})
        gateway.graph.cache.clock = lambda: now + 361  # past the window
        missing = await gql(gateway.client, query, {"id": node})

    # then: the stale answer is data without an error, flagged in extensions
    assert "staleSources" not in fresh.get("extensions", {})
    reports = {r["system"]: r for r in assert_no_errors(stale)["customer"]["sources"]}
    assert stale["data"]["customer"]["crm"] == fresh["data"]["customer"]["crm"]
    assert stale["extensions"]["staleSources"] == [
        {"customerId": node, "source": "hubspot", "fetchedAt": reports["hubspot"]["fetchedAt"]}
    ]
    # and missing data is the error, not a stale flag
    assert missing["data"]["customer"]["crm"] is None
    assert error_codes(missing) == ["SOURCE_UNAVAILABLE"]
    assert "staleSources" not in missing.get("extensions", {})


async def test_reliability_22_after_the_stale_if_error_window_a_clean_error(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])
    config = connectors_config(ttl=60, stale=300)
    async with start_gateway(config=config) as gateway:
        assert_no_errors(await gql(gateway.client, CRM_ONLY, {"id": node}))
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0))
        now = time.time()
        gateway.graph.cache.clock = lambda: now + 361  # past TTL + window

        # when
        body = await gql(gateway.client, CRM_ONLY, {"id": node})

    # then
    assert body["data"]["customer"]["crm"] is None
    assert error_codes(body) == ["SOURCE_UNAVAILABLE"]
    assert body["errors"][0]["path"] == ["customer", "crm"]
    assert body["errors"][0]["extensions"]["source"] == "hubspot"
    assert body["errors"][0]["message"] == "hubspot did not answer (error)"
