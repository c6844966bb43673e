"""businessMetrics: the period metrics of `app/metrics/population.py` over the store's
acquisition rollups, cohort values and spend ledger, for one group per channel, campaign,
month, quarter, or the whole period. Aggregates only: no customer is named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum

from app.business.periods import (
    Period,
    calendar_periods,
    check_range,
    end_of,
    overlap_days,
    start_of,
)
from app.business.spend import CATEGORIES_OF, CostBasis
from app.metrics.params import MetricParams
from app.metrics.population import CohortValues, CustomerMovement, PeriodValue, period_metrics
from app.store.db import Database
from app.store.repositories import acquisition_reads as reads


class BusinessGroupBy(StrEnum):
    NONE = "NONE"
    CHANNEL = "CHANNEL"
    CAMPAIGN = "CAMPAIGN"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@dataclass(frozen=True, slots=True)
class BusinessGroup:
    """One group's counts, spend (None: none recorded) and metrics by name."""

    key: str | None
    period_start: date
    period_end: date
    movement: CustomerMovement
    spend: float | None
    metrics: dict[str, PeriodValue]


def _cohort(row: reads.CohortRow | None) -> CohortValues:
    if row is None:
        return CohortValues()
    return CohortValues(
        buyers=row.buyers,
        repeat_buyers=row.repeat_buyers,
        with_clv=row.with_clv,
        clv_sum=row.clv_sum,
        with_revenue=row.with_revenue,
        revenue_sum=row.revenue_sum,
    )


def _add(values: Iterable[CohortValues]) -> CohortValues:
    names = [f.name for f in fields(CohortValues)]
    totals = dict.fromkeys(names, 0)
    for value in values:
        for name in names:
            totals[name] += getattr(value, name)
    return CohortValues(**totals)  # type: ignore[arg-type]


def prorated(row: reads.SpendRow, since: date, until: date) -> float:
    """The part of a spend that falls in [since, until], by days of its period."""
    span = (row.period_end - row.period_start).days + 1
    return row.amount * overlap_days(row.period_start, row.period_end, since, until) / span


def _spend_of(rows: Iterable[reads.SpendRow], since: date, until: date) -> float | None:
    inside = [row for row in rows if overlap_days(row.period_start, row.period_end, since, until)]
    return sum(prorated(row, since, until) for row in inside) if inside else None


async def business_metrics(
    db: Database,
    params: MetricParams,
    *,
    since: date,
    until: date,
    group_by: BusinessGroupBy,
    cost_basis: CostBasis,
) -> list[BusinessGroup]:
    """The business metrics of [since, until] (whole UTC days), one group per key."""
    check_range(since, until)
    categories = CATEGORIES_OF[cost_basis]
    async with db.session() as session:
        spend_rows = await reads.spend(session, start=since, end=until, categories=categories)
        if group_by in (BusinessGroupBy.MONTH, BusinessGroupBy.QUARTER):
            before = await reads.movement(
                session, since=None, until=since - timedelta(days=1), key=None
            )
            within = await reads.movement(session, since=since, until=until, key="month")
            cohorts = await reads.cohort_values(
                session, start=start_of(since), end=end_of(until), key="month"
            )
        else:
            key = None if group_by is BusinessGroupBy.NONE else group_by.value.lower()
            before = await reads.movement(
                session, since=None, until=since - timedelta(days=1), key=key
            )
            within = await reads.movement(session, since=since, until=until, key=key)
            cohorts = await reads.cohort_values(
                session, start=start_of(since), end=end_of(until), key=key
            )
    if group_by in (BusinessGroupBy.MONTH, BusinessGroupBy.QUARTER):
        grain = "month" if group_by is BusinessGroupBy.MONTH else "quarter"
        return _by_period(
            calendar_periods(since, until, grain),
            before,
            within,
            cohorts,
            spend_rows,
            params,
            cost_basis,
        )
    return _by_key(group_by, since, until, before, within, cohorts, spend_rows, params, cost_basis)


def _group(
    key: str | None,
    since: date,
    until: date,
    counts: tuple[int, int, int],
    cohort: CohortValues,
    spend: float | None,
    params: MetricParams,
    cost_basis: CostBasis,
) -> BusinessGroup:
    movement = CustomerMovement(since, until, *counts)
    metrics = period_metrics(movement, spend, cohort, cost_basis=cost_basis.value, params=params)
    return BusinessGroup(key, since, until, movement, spend, metrics)


def _by_key(
    group_by: BusinessGroupBy,
    since: date,
    until: date,
    before: list[reads.MovementRow],
    within: list[reads.MovementRow],
    cohorts: list[reads.CohortRow],
    spend_rows: list[reads.SpendRow],
    params: MetricParams,
    cost_basis: CostBasis,
) -> list[BusinessGroup]:
    at_start = {row.key: row.acquired - row.lost for row in before}
    moved = {row.key: row for row in within}
    cohort_by_key = {row.key: row for row in cohorts}
    spend_by_key: dict[str | None, list[reads.SpendRow]] = defaultdict(list)
    for row in spend_rows:
        spend_key = {BusinessGroupBy.CHANNEL: row.channel, BusinessGroupBy.CAMPAIGN: row.campaign}
        spend_by_key[spend_key.get(group_by)].append(row)
    keys = {key for key, count in at_start.items() if count} | set(spend_by_key)
    keys |= {key for key, row in moved.items() if row.acquired or row.lost}
    if group_by is BusinessGroupBy.NONE:
        keys = {None}
    groups = []
    for key in sorted(keys, key=lambda k: (k is None, k or "")):
        row = moved.get(key)
        counts = (at_start.get(key, 0), row.acquired if row else 0, row.lost if row else 0)
        groups.append(
            _group(
                key,
                since,
                until,
                counts,
                _cohort(cohort_by_key.get(key)),
                _spend_of(spend_by_key.get(key, ()), since, until),
                params,
                cost_basis,
            )
        )
    return groups


def _by_period(
    periods: list[Period],
    before: list[reads.MovementRow],
    within: list[reads.MovementRow],
    cohorts: list[reads.CohortRow],
    spend_rows: list[reads.SpendRow],
    params: MetricParams,
    cost_basis: CostBasis,
) -> list[BusinessGroup]:
    customers = sum(row.acquired - row.lost for row in before)
    moved = {row.key: row for row in within}
    cohort_by_month = {row.key: _cohort(row) for row in cohorts}
    groups = []
    for period in periods:
        months = period.months()
        acquired = sum(moved[m].acquired for m in months if m in moved)
        lost = sum(moved[m].lost for m in months if m in moved)
        cohort = _add(cohort_by_month[m] for m in months if m in cohort_by_month)
        spend = _spend_of(spend_rows, period.start, period.end)
        groups.append(
            _group(
                period.key,
                period.start,
                period.end,
                (customers, acquired, lost),
                cohort,
                spend,
                params,
                cost_basis,
            )
        )
        customers += acquired - lost
    return groups
