"""Recompute: inputs fetched from the simulators, values stored once, shown through GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.metrics import names
from app.metrics.recompute import (
    SOURCE,
    params_from_settings,
    recompute_all,
    recompute_customers,
)
from app.store.db import Database
from app.store.models import MetricObservation, MetricPopulation
from simulators import FaultSettings
from tests.graphql_client import assert_no_errors, global_id, gql
from tests.sources.conftest import WORLD_SIZE, linked_to_all

# After every seeded observation (the seed writes history up to its own now).
AS_OF = datetime.now(UTC)

METRICS = """
query Metrics($id: ID!) {
  customer(id: $id) {
    metrics(names: ["order_count", "clv_historical", "nps", "engagement_score"]) {
      name value source method
    }
    orders(first: 100) { edges { node { state amountUntaxed currency } } }
    surveyResponses(first: 100) { edges { node { nps submittedAt } } }
  }
}
"""


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


ANSWERS = """
query Answers($id: ID!) {
  customer(id: $id) { surveyResponses(first: 100) { edges { node { nps } } } }
}
"""


async def nps_respondent(client, world) -> str:
    """A customer linked everywhere who answered an NPS question."""
    for customer_id in linked_to_all(world):
        body = await gql(client, ANSWERS, {"id": global_id("Customer", customer_id)})
        edges = assert_no_errors(body)["customer"]["surveyResponses"]["edges"]
        if any(edge["node"]["nps"] is not None for edge in edges):
            return customer_id
    raise AssertionError("nobody in the simulated world answered an NPS survey")


async def test_recompute_stores_values_computed_from_the_sources(start_gateway, world):
    # given
    async with start_gateway() as gateway:
        customer_id = await nps_respondent(gateway.client, world)
        node = global_id("Customer", customer_id)
        # when
        params = params_from_settings(gateway.app.state.settings)
        summary = await recompute_customers(
            gateway.db, gateway.graph, [customer_id], as_of=AS_OF, params=params
        )
        body = assert_no_errors(await gql(gateway.client, METRICS, {"id": node}))

    # then
    assert summary.customers == 1 and summary.skipped == 0 and summary.written > 0
    customer = body["customer"]
    metrics = {m["name"]: m for m in customer["metrics"]}
    computed = ("order_count", "clv_historical", "engagement_score")
    assert {metrics[name]["source"] for name in computed} == {SOURCE}, metrics
    sold = [e["node"] for e in customer["orders"]["edges"] if e["node"]["state"] == "sale"]
    # Refunds only lower revenue: every kept order's untaxed amount is an upper bound.
    assert 0 < metrics["order_count"]["value"] <= len(sold)
    # Converted into EUR at the configured rates (the world sells in GBP, USD and EUR).
    rates = {"EUR": 1.0, **params.fx_rates}
    converted = sum(float(o["amountUntaxed"]) * rates[o["currency"]] for o in sold)
    assert 0 < metrics["clv_historical"]["value"] <= converted + 1e-6
    answered = [
        e["node"] for e in customer["surveyResponses"]["edges"] if e["node"]["nps"] is not None
    ]
    latest = max(answered, key=lambda r: r["submittedAt"])
    assert metrics["nps"] == {**metrics["nps"], "value": latest["nps"], "source": SOURCE}
    assert metrics["engagement_score"]["method"] == names.METHOD_ENGAGEMENT


async def test_recompute_is_idempotent(start_gateway, world):
    # given
    ids = linked_to_all(world)[:5]
    async with start_gateway() as gateway:
        first = await recompute_customers(gateway.db, gateway.graph, ids, as_of=AS_OF)
        rows = await _count(gateway.db, MetricObservation)

        # when
        second = await recompute_customers(gateway.db, gateway.graph, ids, as_of=AS_OF)

        # then
        assert await _count(gateway.db, MetricObservation) == rows, second.by_metric
    assert first.written > 0
    assert second.written == 0
    assert second.unchanged == first.written + first.unchanged


async def test_a_failed_source_skips_the_customer_instead_of_storing_partial_values(
    start_gateway, world
):
    # given
    customer_id = linked_to_all(world)[0]
    async with start_gateway() as gateway:
        gateway.sources.break_("odoo", FaultSettings(error_rate=1.0))

        # when
        summary = await recompute_customers(gateway.db, gateway.graph, [customer_id], as_of=AS_OF)

    # then
    assert summary.skipped == 1
    assert summary.written == 0


async def test_recompute_all_scores_rfm_against_stored_breakpoints(start_gateway):
    # given
    async with start_gateway() as gateway:
        # when
        summary = await recompute_all(gateway.db, gateway.graph, as_of=AS_OF, batch_size=25)
        segments = await _count_named(gateway.db, names.RFM_SEGMENT)
        populations = await _count(gateway.db, MetricPopulation)

    # then
    assert summary.customers == WORLD_SIZE
    assert summary.by_metric[names.RFM_SEGMENT] == segments > 0
    assert populations == 1


async def _count_named(db: Database, name: str) -> int:
    async with db.session() as session:
        statement = select(func.count()).where(
            MetricObservation.name == name, MetricObservation.source == SOURCE
        )
        return int(await session.scalar(statement) or 0)
