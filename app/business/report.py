"""businessMetrics: the period metrics of `app/metrics/population.py` over the store's
acquisition rollups (counts and the acquired customers' values) and spend ledger, for one
group per channel, campaign, month, quarter, or the whole period. Aggregates only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.business.periods import Period, calendar_periods, check_range, overlap_days
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


# The rollup key each grouping reads (quarters are summed from months).
_KEYS: dict[BusinessGroupBy, str | None] = {
    BusinessGroupBy.NONE: None,
    BusinessGroupBy.CHANNEL: "channel",
    BusinessGroupBy.CAMPAIGN: "campaign",
    BusinessGroupBy.MONTH: "month",
    BusinessGroupBy.QUARTER: "month",
}


@dataclass(frozen=True, slots=True)
class BusinessGroup:
    """One group's counts, spend (None: none recorded) and metrics by name."""

    key: str | None
    period_start: date
    period_end: date
    movement: CustomerMovement
    spend: float | None
    metrics: dict[str, PeriodValue]


def _cohort(row: reads.MovementRow) -> CohortValues:
    return CohortValues(
        buyers=row.buyers,
        repeat_buyers=row.repeat_buyers,
        with_clv=row.with_clv,
        clv_sum=row.clv_sum,
        with_revenue=row.with_revenue,
        revenue_sum=row.revenue_sum,
    )


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
    timed = group_by in (BusinessGroupBy.MONTH, BusinessGroupBy.QUARTER)
    key = _KEYS[group_by]
    async with db.session() as session:
        categories = CATEGORIES_OF[cost_basis]
        spend_rows = await reads.spend(
            session,
            start=since,
            end=until,
            categories=categories,
            key=None if timed else key,
            collapse=not timed,
        )
        before = await reads.movement(
            session, since=None, until=since - timedelta(days=1), key=None if timed else key
        )
        within = await reads.movement(session, since=since, until=until, key=key)
    if timed:
        grain = "month" if group_by is BusinessGroupBy.MONTH else "quarter"
        periods = calendar_periods(since, until, grain)
        return _by_period(periods, before, within, spend_rows, params, cost_basis)
    return _by_key(group_by, since, until, before, within, spend_rows, params, cost_basis)


def _group(
    key: str | None,
    period: tuple[date, date],
    customers_at_start: int,
    row: reads.MovementRow,
    spend: float | None,
    params: MetricParams,
    cost_basis: CostBasis,
) -> BusinessGroup:
    movement = CustomerMovement(*period, customers_at_start, row.acquired, row.lost)
    metrics = period_metrics(
        movement, spend, _cohort(row), cost_basis=cost_basis.value, params=params
    )
    return BusinessGroup(key, *period, movement, spend, metrics)


def _by_key(
    group_by: BusinessGroupBy,
    since: date,
    until: date,
    before: list[reads.MovementRow],
    within: list[reads.MovementRow],
    spend_rows: list[reads.SpendRow],
    params: MetricParams,
    cost_basis: CostBasis,
) -> list[BusinessGroup]:
    at_start = {row.key: row.acquired - row.lost for row in before}
    moved = {row.key: row for row in within}
    spend_by_key: dict[str | None, list[reads.SpendRow]] = defaultdict(list)
    for row in spend_rows:
        spend_by_key[row.key].append(row)
    keys = {key for key, count in at_start.items() if count} | set(spend_by_key)
    keys |= {key for key, row in moved.items() if row.acquired or row.lost}
    if group_by is BusinessGroupBy.NONE:
        keys = {None}
    return [
        _group(
            key,
            (since, until),
            at_start.get(key, 0),
            moved.get(key, reads.MovementRow(key)),
            _spend_of(spend_by_key.get(key, ()), since, until),
            params,
            cost_basis,
        )
        for key in sorted(keys, key=lambda k: (k is None, k or ""))
    ]


def _by_period(
    periods: list[Period],
    before: list[reads.MovementRow],
    within: list[reads.MovementRow],
    spend_rows: list[reads.SpendRow],
    params: MetricParams,
    cost_basis: CostBasis,
) -> list[BusinessGroup]:
    customers = sum(row.acquired - row.lost for row in before)
    moved = {row.key: row for row in within}
    groups = []
    for period in periods:
        row = reads.MovementRow(period.key)
        for month in period.months():
            row = row + moved.get(month, reads.MovementRow(month))
        spend = _spend_of(spend_rows, period.start, period.end)
        span = (period.start, period.end)
        groups.append(_group(period.key, span, customers, row, spend, params, cost_basis))
        customers += row.acquired - row.lost
    return groups
