"""Recomputing customers' metrics from their sources and storing what changed.

`recompute_customers(db, graph, customer_ids)` is the one entry point for code that changed a
customer's data (a webhook, a mutation, a sync); `recompute_all` is the batch job behind
`c360 metrics recompute`. Both fetch inputs in batches through the `CustomerGraph` (cache,
budgets, one batch call per system and kind), compute with the pure calculators, and append a
`metric_observation` only for values that changed (see `is_unchanged`): running them twice on
the same data writes nothing the second time.

A customer whose linked source failed (and had no stale copy) is skipped, never stored from
partial data; links to systems without a configured connector are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.kinds import EventKind
from app.events.outbox import emit
from app.graph import CustomerGraph, SourceKind, invalidate_customers
from app.metrics import names
from app.metrics.customer import compute_customer_metrics, rfm_metrics
from app.metrics.inputs import LocalInteraction, SourceInputs, customer_activity
from app.metrics.params import MetricParams
from app.metrics.rfm import RfmBreakpoints, RfmInputs, rfm_breakpoints
from app.metrics.values import MetricValue
from app.privacy.consent import ConsentPurpose, ConsentState, current_state
from app.settings import Settings
from app.store.db import Database
from app.store.models import MetricPopulation
from app.store.repositories import metric_current, source_links, timelines
from app.store.repositories import metrics as repo
from app.store.repositories.metric_current import CurrentValue
from app.store.types import utcnow

SOURCE = "recompute"
RFM_POPULATION = "rfm_breakpoints"
log = structlog.get_logger("c360.metrics")
DEFAULT_BATCH_SIZE = 500
# A value within this relative distance of the current one is unchanged (no new row): clock-
# driven metrics (recency, engagement decay) would otherwise write a row on every run.
CHANGE_TOLERANCE = 1e-4
INPUT_KINDS = (
    SourceKind.ERP_ORDERS,
    SourceKind.ERP_INVOICES,
    SourceKind.CRM_CONTACT,
    SourceKind.CRM_TICKETS,
    SourceKind.CRM_ENGAGEMENTS,
    SourceKind.SURVEY_RESPONSES,
)
RFM_METRICS = frozenset(
    {names.RFM_RECENCY, names.RFM_FREQUENCY, names.RFM_MONETARY, names.RFM_SEGMENT}
)


@dataclass(slots=True)
class RecomputeSummary:
    """What a recompute did."""

    customers: int = 0
    skipped: int = 0
    written: int = 0
    unchanged: int = 0
    by_metric: dict[str, int] = field(default_factory=dict)

    def add(self, other: RecomputeSummary) -> None:
        self.customers += other.customers
        self.skipped += other.skipped
        self.written += other.written
        self.unchanged += other.unchanged
        for name, count in other.by_metric.items():
            self.by_metric[name] = self.by_metric.get(name, 0) + count


def params_from_settings(settings: Settings) -> MetricParams:
    """The deployment's metric parameters (reporting currency and exchange rates)."""
    return MetricParams(
        currency=settings.metrics_currency, fx_rates=dict(settings.metrics_fx_rates)
    )


def is_unchanged(current: CurrentValue | None, value: MetricValue) -> bool:
    """True when `value` needs no new row: same method, value within `CHANGE_TOLERANCE`."""
    if current is None or current.method != value.method:
        return False
    return abs(current.value - value.value) <= CHANGE_TOLERANCE * max(1.0, abs(current.value))


def _unsubscribed(consents: Sequence[Any], now: datetime) -> bool:
    for event in consents:
        if event.purpose == ConsentPurpose.MARKETING and event.channel == "email":
            return current_state(event, now) in (ConsentState.WITHDRAWN, ConsentState.DENIED)
    return False


@dataclass(slots=True)
class _Batch:
    inputs: dict[str, SourceInputs]
    skipped: set[str]
    current: dict[str, dict[str, CurrentValue]]


async def _load_batch(
    db: Database, graph: CustomerGraph, customer_ids: Sequence[str], as_of: datetime
) -> _Batch:
    """Every input of these customers: store rows in one session, sources in one gather."""
    async with db.session() as session:
        links = await source_links.links_by_customer(session, customer_ids=customer_ids)
        local = await repo.interactions_by_customer(session, customer_ids=customer_ids)
        consents = await timelines.current_consents_by_customer(session, customer_ids=customer_ids)
        current = await metric_current.current_by_customer(session, customer_ids=customer_ids)
    identities = {
        customer_id: [
            (link.system, link.external_id)
            for link in links.get(customer_id, [])
            if graph.is_configured(link.system)
        ]
        for customer_id in customer_ids
    }
    fetched = await graph.gather(identities, INPUT_KINDS)
    inputs: dict[str, SourceInputs] = {}
    skipped: set[str] = set()
    for customer_id in customer_ids:
        data = fetched.get(customer_id, {})
        if any(item.failed_parts for item in data.values()):
            skipped.add(customer_id)
            continue

        def value(kind: SourceKind, default: Any, data: Any = data) -> Any:
            item = data.get(kind)
            return default if item is None or item.value is None else item.value

        inputs[customer_id] = SourceInputs(
            orders=value(SourceKind.ERP_ORDERS, ()),
            invoices=value(SourceKind.ERP_INVOICES, ()),
            tickets=value(SourceKind.CRM_TICKETS, ()),
            engagements=value(SourceKind.CRM_ENGAGEMENTS, ()),
            contact=value(SourceKind.CRM_CONTACT, None),
            responses=value(SourceKind.SURVEY_RESPONSES, ()),
            interactions=[LocalInteraction(at, ch) for at, ch in local.get(customer_id, [])],
            unsubscribed=_unsubscribed(consents.get(customer_id, []), as_of),
        )
    return _Batch(inputs, skipped, current)


def _changed_rows(
    customer_id: str,
    computed: Sequence[MetricValue],
    current: dict[str, CurrentValue],
    as_of: datetime,
    wanted: Collection[str] | None,
    summary: RecomputeSummary,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for value in computed:
        if wanted is not None and value.name not in wanted:
            continue
        if is_unchanged(current.get(value.name), value):
            summary.unchanged += 1
            continue
        rows.append(
            {
                "customer_id": customer_id,
                "name": value.name,
                "value": value.value,
                "observed_at": as_of,
                "source": SOURCE,
                "method": value.method,
                "details": value.details,
            }
        )
        summary.by_metric[value.name] = summary.by_metric.get(value.name, 0) + 1
    summary.written += len(rows)
    return rows


def _rfm_inputs(computed: Sequence[MetricValue]) -> RfmInputs | None:
    by_name = {value.name: value.value for value in computed}
    recency = by_name.get(names.RECENCY_DAYS)
    if recency is None:
        return None
    return RfmInputs(recency, int(by_name[names.ORDER_COUNT]), by_name[names.CLV_HISTORICAL])


async def _recompute_batch(
    db: Database,
    graph: CustomerGraph,
    customer_ids: Sequence[str],
    *,
    params: MetricParams,
    as_of: datetime,
    wanted: Collection[str] | None,
    population: RfmBreakpoints | None,
    buyers: dict[str, RfmInputs] | None = None,
) -> RecomputeSummary:
    summary = RecomputeSummary()
    batch = await _load_batch(db, graph, customer_ids, as_of)
    summary.skipped = len(batch.skipped)
    rows: list[dict[str, Any]] = []
    for customer_id, inputs in batch.inputs.items():
        activity = customer_activity(inputs, currency=params.currency)
        computed = compute_customer_metrics(
            activity, as_of=as_of, params=params, population=population
        )
        if buyers is not None and (rfm := _rfm_inputs(computed)) is not None:
            buyers[customer_id] = rfm
        current = batch.current.get(customer_id, {})
        rows += _changed_rows(customer_id, computed, current, as_of, wanted, summary)
        summary.customers += 1
    async with db.transaction() as session:
        await _store(session, rows)
    return summary


async def _store(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Append the changed values, and one metric-changed event per customer with them."""
    await repo.insert_observations(session, rows)
    changed: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        changed[row["customer_id"]].add(row["name"])
    for customer_id, metric_names in changed.items():
        emit(
            session,
            EventKind.METRIC_CHANGED,
            [customer_id],
            changed=metric_names,
            source="recompute",
        )


async def stored_rfm_population(db: Database) -> RfmBreakpoints | None:
    """The RFM breakpoints of the last full recompute, if any."""
    async with db.session() as session:
        row = await repo.latest_population(session, name=RFM_POPULATION)
    return RfmBreakpoints.from_dict(row.details) if row is not None else None


async def recompute_customers(
    db: Database,
    graph: CustomerGraph,
    customer_ids: Sequence[str],
    *,
    params: MetricParams | None = None,
    as_of: datetime | None = None,
    metrics: Collection[str] | None = None,
) -> RecomputeSummary:
    """Recompute these customers now and store the values that changed (idempotent).

    Call it after anything changed a customer's inputs (a survey answer, an order, a CRM
    change, a recorded interaction, a sync); drop their cached source data first when the
    change happened upstream. RFM is scored against the breakpoints of the last full run.
    """
    params = params or MetricParams()
    as_of = as_of or utcnow()
    population = await stored_rfm_population(db)
    summary = RecomputeSummary()
    ids = list(dict.fromkeys(customer_ids))
    for start in range(0, len(ids), DEFAULT_BATCH_SIZE):
        summary.add(
            await _recompute_batch(
                db,
                graph,
                ids[start : start + DEFAULT_BATCH_SIZE],
                params=params,
                as_of=as_of,
                wanted=metrics,
                population=population,
            )
        )
    return summary


async def recompute_all(
    db: Database,
    graph: CustomerGraph,
    *,
    params: MetricParams | None = None,
    as_of: datetime | None = None,
    metrics: Collection[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RecomputeSummary:
    """Recompute every live customer in batches, then RFM against fresh breakpoints.

    RFM needs the whole population: the first pass keeps each buyer's (recency, orders,
    revenue), the breakpoints are stored (`metric_population`), then every buyer is scored.
    """
    params = params or MetricParams()
    as_of = as_of or utcnow()
    async with db.session() as session:
        ids = await repo.live_customer_ids(session)
    if on_start is not None:
        on_start(len(ids))
    summary = RecomputeSummary()
    buyers: dict[str, RfmInputs] = {}
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        summary.add(
            await _recompute_batch(
                db,
                graph,
                chunk,
                params=params,
                as_of=as_of,
                wanted=metrics,
                population=None,
                buyers=buyers,
            )
        )
        if on_progress is not None:
            on_progress(len(chunk))
    if buyers and (metrics is None or RFM_METRICS & set(metrics)):
        summary.add(await _score_rfm(db, buyers, as_of=as_of, wanted=metrics))
    return summary


async def _score_rfm(
    db: Database,
    buyers: dict[str, RfmInputs],
    *,
    as_of: datetime,
    wanted: Collection[str] | None,
) -> RecomputeSummary:
    population = rfm_breakpoints(buyers.values())
    summary = RecomputeSummary()
    async with db.transaction() as session:
        session.add(
            MetricPopulation(name=RFM_POPULATION, computed_at=as_of, details=population.to_dict())
        )
    ids = list(buyers)
    for start in range(0, len(ids), DEFAULT_BATCH_SIZE):
        chunk = ids[start : start + DEFAULT_BATCH_SIZE]
        async with db.session() as session:
            latest = await metric_current.current_by_customer(session, customer_ids=chunk)
        rows: list[dict[str, Any]] = []
        for customer_id in chunk:
            computed = rfm_metrics(buyers[customer_id], population)
            current = latest.get(customer_id, {})
            rows += _changed_rows(customer_id, computed, current, as_of, wanted, summary)
        async with db.transaction() as session:
            await _store(session, rows)
    return summary


async def refresh_customers(
    db: Database,
    graph: CustomerGraph,
    settings: Settings,
    customer_ids: Iterable[str],
    *,
    drop_cached_sources: bool = True,
) -> RecomputeSummary | None:
    """After a change was stored: drop the customers' cached source data (when the change
    happened upstream), then recompute their metrics; returns what the recompute did.

    The change itself is already committed: a failure here is logged and returns None, and the
    next change or batch run recomputes them.
    """
    ids = list(dict.fromkeys(customer_ids))
    try:
        if drop_cached_sources:
            for start in range(0, len(ids), DEFAULT_BATCH_SIZE):
                await invalidate_customers(graph, db, ids[start : start + DEFAULT_BATCH_SIZE])
        return await recompute_customers(db, graph, ids, params=params_from_settings(settings))
    except Exception:
        log.exception("recompute after a change failed", customers=len(ids))
        return None
