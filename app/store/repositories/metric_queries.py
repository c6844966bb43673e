"""Aggregate and ranked reads of metrics: summaries by group, at-risk customers.

Without a time range, "current" is `metric_current` (one row per customer and metric, with
the customer's groups beside the value: one index range per summary, no join, no sort); so is
a range that no current value is later than (its `from` filters them). Per
month or quarter it is `metric_period` (each customer's last observation in each period; a
range selects whole periods). With a range and no time grouping, it is each customer's latest
observation in the range, found with a window function over the (name, customer_id,
observed_at) index of `metric_observation` when some current value is later than the range's
`to`: slower, as it reads the history. Grouping and sums
run in SQL, so one row per group comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery
from sqlmodel import col

from app.store.models import Customer, MetricCurrent, MetricObservation, MetricPeriod

# The consent rule of customer lists, reused so every list applies the same one.
from app.store.repositories.customers import _consent_holds
from app.store.repositories.metric_current import periods
from app.store.types import utcnow


class SummaryGroup(StrEnum):
    """What a summary groups customers by."""

    NONE = "none"
    SEGMENT = "segment"
    LIFECYCLE_STAGE = "lifecycle_stage"
    REGION = "region"
    CHANNEL = "channel"
    MONTH = "month"
    QUARTER = "quarter"


TIME_GROUPS = frozenset({SummaryGroup.MONTH, SummaryGroup.QUARTER})


@dataclass(frozen=True, slots=True)
class GroupSums:
    """The SQL sums of one group: enough for a mean, a t interval and an NPS."""

    group: str | None
    n: int
    total: float
    squares: float
    promoters: int
    detractors: int


def _group_column(group: SummaryGroup) -> ColumnElement[Any] | None:
    """The `metric_current` column holding the customer's group (None: one group)."""
    if group in (SummaryGroup.NONE, *TIME_GROUPS):
        return None
    column: ColumnElement[Any] = getattr(MetricCurrent, group.value)
    return column


def _current_table(
    name: str, *, min_value: float | None = None, with_details: bool = False
) -> Subquery:
    """`metric_current` rows of `name` (optionally with value >= min_value)."""
    columns: list[Any] = [col(MetricCurrent.customer_id), col(MetricCurrent.value)]
    if with_details:
        columns.append(col(MetricCurrent.details))
    statement = select(*columns).where(col(MetricCurrent.name) == name)
    if min_value is not None:
        statement = statement.where(col(MetricCurrent.value) >= min_value)
    return statement.subquery()


def _current_in_range(name: str, *, since: datetime | None, until: datetime | None) -> Subquery:
    """Each customer's latest observation of `name` in the range."""
    columns: list[Any] = [col(MetricObservation.customer_id), col(MetricObservation.value)]
    rank = (
        func.row_number()
        .over(
            partition_by=col(MetricObservation.customer_id),
            order_by=[col(MetricObservation.observed_at).desc(), col(MetricObservation.id).desc()],
        )
        .label("rank")
    )
    # No `details`: the JSON would be read from every history row only to be dropped.
    statement = select(*columns, rank).where(col(MetricObservation.name) == name)
    if since is not None:
        statement = statement.where(col(MetricObservation.observed_at) >= since)
    if until is not None:
        statement = statement.where(col(MetricObservation.observed_at) <= until)
    ranked = statement.subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _periods_in_range(
    name: str, group: SummaryGroup, *, since: datetime | None, until: datetime | None
) -> Subquery:
    """Each customer's last observation of `name` in each month or quarter of the range."""
    grain = "month" if group is SummaryGroup.MONTH else "quarter"
    index = 0 if group is SummaryGroup.MONTH else 1
    statement = select(
        col(MetricPeriod.customer_id), col(MetricPeriod.value), col(MetricPeriod.period)
    ).where(col(MetricPeriod.name) == name, col(MetricPeriod.grain) == grain)
    if since is not None:
        statement = statement.where(col(MetricPeriod.period) >= periods(since)[index][1])
    if until is not None:
        statement = statement.where(col(MetricPeriod.period) <= periods(until)[index][1])
    return statement.subquery()


async def summary_sums(
    session: AsyncSession,
    *,
    name: str,
    group: SummaryGroup,
    since: datetime | None,
    until: datetime | None,
    categories: bool,
) -> list[GroupSums]:
    """Per group: customers, and either the sum and sum of squares of their current values or,
    with `categories`, how many are NPS promoters (9-10) and detractors (0-6)."""
    key: Any = _group_column(group)
    if group in TIME_GROUPS:
        current: Any = _periods_in_range(name, group, since=since, until=until)
        key = current.c.period
        source: Any = current
    elif until is None or not await _any_current_after(session, name, until):
        # No current value is later than the range: each customer's latest observation in the
        # range is its current value, if that falls in the range.
        statement = select(
            col(MetricCurrent.customer_id),
            col(MetricCurrent.value),
            *([key] if key is not None else []),
        ).where(col(MetricCurrent.name) == name)
        if since is not None:
            statement = statement.where(col(MetricCurrent.observed_at) >= since)
        if until is not None:
            statement = statement.where(col(MetricCurrent.observed_at) <= until)
        current = source = statement.subquery()
        key = None if key is None else current.c[key.key]
    else:
        # The groups are the customer's today, read beside its current value of the metric.
        current = _current_in_range(name, since=since, until=until)
        source = current.join(
            MetricCurrent,
            and_(
                col(MetricCurrent.customer_id) == current.c.customer_id,
                col(MetricCurrent.name) == name,
            ),
        )
    value = current.c.value
    # Only the sums the metric's summary uses: each is an expression per value.
    moments = [func.sum(value), func.sum(value * value)]
    counts = [func.sum(case((value >= 9, 1), else_=0)), func.sum(case((value <= 6, 1), else_=0))]
    unused: list[ColumnElement[Any]] = [literal_column("0"), literal_column("0")]
    aggregates = [
        func.count(),
        *(unused if categories else moments),
        *(counts if categories else unused),
    ]
    columns = [column.label(f"s{index}") for index, column in enumerate(aggregates)]
    statement = select(*([key] if key is not None else []), *columns).select_from(source)
    if await _any_merged(session):
        # A merge tombstone's values must not count. (`> ''` rather than IS NOT NULL: SQLite
        # reads it as a range of the merged_into index instead of scanning every customer.)
        merged = select(col(Customer.id)).where(col(Customer.merged_into) > "")
        statement = statement.where(current.c.customer_id.not_in(merged))
    if key is not None:
        statement = statement.group_by(key).order_by(key)
    result: list[GroupSums] = []
    for row in await session.execute(statement):
        values = tuple(row)
        group_value, sums = (values[0], values[1:]) if key is not None else (None, values)
        n, total, squares, promoters, detractors = sums
        if not n:
            continue
        result.append(
            GroupSums(
                group=None if group_value is None else str(group_value),
                n=int(n),
                total=float(total or 0.0),
                squares=float(squares or 0.0),
                promoters=int(promoters or 0),
                detractors=int(detractors or 0),
            )
        )
    return result


async def _any_current_after(session: AsyncSession, name: str, until: datetime) -> bool:
    """Whether some customer's current value of `name` was observed after `until`: exactly when
    some observation was, as each customer's latest observation is its current value (one
    probe of the history's (name, observed_at) index)."""
    statement = (
        select(col(MetricObservation.id))
        .where(col(MetricObservation.name) == name, col(MetricObservation.observed_at) > until)
        .limit(1)
    )
    return (await session.scalars(statement)).first() is not None


async def _any_merged(session: AsyncSession) -> bool:
    """Whether any customer is a merge tombstone (max() reads one end of the merged_into
    index; a WHERE ... IS NOT NULL scans every customer when statistics say all are null)."""
    return await session.scalar(select(func.max(col(Customer.merged_into)))) is not None


@dataclass(frozen=True, slots=True)
class AtRiskRow:
    """A customer at risk: the current churn risk, predicted value and their product."""

    customer: Customer
    risk: float
    value: float
    weighted: float
    details: dict[str, Any] | None


async def at_risk_page(
    session: AsyncSession,
    *,
    risk_metric: str,
    value_metric: str,
    min_risk: float,
    first: int,
    after: tuple[float, str] | None,
    consent_purpose: str | None,
    dialect: str,
) -> list[AtRiskRow]:
    """Up to `first` customers (plus one) with current risk >= min_risk, by risk x value."""
    risk = _current_table(risk_metric, min_value=min_risk, with_details=True)
    value = _current_table(value_metric)
    # A customer with a negative or no predicted value weighs nothing (scalar max in SQLite).
    positive = func.max if dialect == "sqlite" else func.greatest
    clv = func.coalesce(positive(value.c.value, 0.0), 0.0)
    weighted = (risk.c.value * clv).label("weighted")
    statement = (
        select(Customer, risk.c.value, clv.label("clv"), weighted, risk.c.details)
        .select_from(
            risk.join(Customer, col(Customer.id) == risk.c.customer_id).outerjoin(
                value, value.c.customer_id == risk.c.customer_id
            )
        )
        .where(col(Customer.merged_into).is_(None))
    )
    if consent_purpose is not None:
        statement = statement.where(_consent_holds(consent_purpose, None, utcnow()))
    if after is not None:
        last_weighted, last_id = after
        statement = statement.where(
            or_(
                risk.c.value * clv < last_weighted,
                and_(risk.c.value * clv == last_weighted, col(Customer.id) > last_id),
            )
        )
    statement = statement.order_by(weighted.desc(), col(Customer.id)).limit(first + 1)
    rows = await session.execute(statement)
    return [
        AtRiskRow(customer, float(r), float(v), float(w), details)
        for customer, r, v, w, details in rows
    ]
