"""What businessMetrics and retentionCohorts read: the acquisition rollups and the spend
ledger, summed in SQL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Label,
    SQLColumnExpression,
    and_,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import (
    AcquisitionMovement,
    AcquisitionRetention,
    AcquisitionSpend,
)
from app.store.repositories.acquisitions import COUNTERS


@dataclass(frozen=True, slots=True)
class MovementRow:
    """Sums over one key: customers acquired and lost, and the acquired ones' values."""

    key: str | None
    acquired: int = 0
    lost: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    with_clv: int = 0
    clv_sum: float = 0.0
    with_revenue: int = 0
    revenue_sum: float = 0.0

    def __add__(self, other: MovementRow) -> MovementRow:
        return MovementRow(
            self.key,
            *(getattr(self, name) + getattr(other, name) for name in COUNTERS),
        )


@dataclass(frozen=True, slots=True)
class SpendRow:
    """Spend of one period and key (a channel, a campaign, or None)."""

    period_start: date
    period_end: date
    key: str | None
    amount: float


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def spans(since: date | None, until: date) -> list[tuple[str, str, str]]:
    """(grain, first, last) ranges that cover [since, until] exactly: whole months from the
    month rows, the days of partial months from the day rows. None: from the beginning."""
    first_full = date.min if since is None else since
    if since is not None and since.day != 1:
        first_full = _month_end(since) + timedelta(days=1)
    last_full = until if until == _month_end(until) else _month_start(until) - timedelta(days=1)
    if first_full > last_full:  # no whole month inside
        return [("d", (since or date.min).isoformat(), until.isoformat())]
    ranges = [("m", first_full.isoformat()[:7], last_full.isoformat()[:7])]
    if since is not None and since < first_full:
        ranges.append(("d", since.isoformat(), (first_full - timedelta(days=1)).isoformat()))
    if last_full < until:
        ranges.append(("d", (last_full + timedelta(days=1)).isoformat(), until.isoformat()))
    return ranges


def _key(key: str | None) -> ColumnElement[Any]:
    if key == "month":
        return func.substr(col(AcquisitionMovement.period), 1, 7)
    if key is None:
        return literal(None)
    column: ColumnElement[Any] = getattr(AcquisitionMovement, key)
    return column


async def movement(
    session: AsyncSession, *, since: date | None, until: date, key: str | None
) -> list[MovementRow]:
    """The rollup's sums per key over the days [since, until] (since None: from the start),
    read from a few thousand month rows and the day rows of partial months."""
    column = _key(key).label("key")
    sums = [func.coalesce(func.sum(getattr(AcquisitionMovement, name)), 0) for name in COUNTERS]
    totals: dict[str | None, MovementRow] = {}
    for grain, first, last in spans(since, until):
        statement = select(column, *sums).where(
            col(AcquisitionMovement.grain) == grain,
            col(AcquisitionMovement.period) >= first,
            col(AcquisitionMovement.period) <= last,
        )
        if key is not None:
            statement = statement.group_by(column)
        for row in (await session.execute(statement)).all():
            found = MovementRow(row[0] or None, *row[1:])
            held = totals.get(found.key)
            totals[found.key] = found if held is None else held + found
    return list(totals.values())


async def spend(
    session: AsyncSession,
    *,
    start: date,
    end: date,
    categories: Collection[str],
    key: str | None,
    collapse: bool,
) -> list[SpendRow]:
    """Spend of the given categories whose period overlaps [start, end], summed per period
    and key (`channel`, `campaign` or None). With `collapse`, spend wholly inside [start, end]
    is summed into one row per key whose period is [start, end]: nothing left to prorate."""
    first: SQLColumnExpression[Any] = col(AcquisitionSpend.period_start)
    last: SQLColumnExpression[Any] = col(AcquisitionSpend.period_end)
    if collapse:
        inside = and_(first >= start, last <= end)
        first = case((inside, literal(start, Date())), else_=first)
        last = case((inside, literal(end, Date())), else_=last)
    column = literal(None) if key is None else getattr(AcquisitionSpend, key)
    keys: tuple[Label[Any], ...] = (first.label("first"), last.label("last"), column.label("key"))
    statement = (
        select(*keys, func.sum(col(AcquisitionSpend.amount)))
        .where(
            col(AcquisitionSpend.period_start) <= end,
            col(AcquisitionSpend.period_end) >= start,
            col(AcquisitionSpend.category).in_(sorted(categories)),
        )
        .group_by(first, last, column)
    )
    rows = await session.execute(statement)
    return [SpendRow(row[0], row[1], row[2], float(row[3])) for row in rows.all()]


async def cohort_sizes(session: AsyncSession, *, since: str, until: str) -> dict[str, int]:
    """Customers acquired per month (YYYY-MM) in [since, until]."""
    rows = await session.execute(
        select(col(AcquisitionMovement.period), func.sum(col(AcquisitionMovement.acquired)))
        .where(
            col(AcquisitionMovement.grain) == "m",
            col(AcquisitionMovement.period) >= since,
            col(AcquisitionMovement.period) <= until,
        )
        .group_by(col(AcquisitionMovement.period))
    )
    return {row[0]: int(row[1]) for row in rows.all() if row[1]}


async def cohort_losses(
    session: AsyncSession, *, since: str, until: str
) -> list[tuple[str, str, int]]:
    """(acquisition month, month lost, customers) of the cohorts acquired in [since, until]."""
    rows = await session.execute(
        select(
            col(AcquisitionRetention.cohort),
            col(AcquisitionRetention.lost_month),
            col(AcquisitionRetention.lost),
        ).where(
            col(AcquisitionRetention.cohort) >= since, col(AcquisitionRetention.cohort) <= until
        )
    )
    return [(row[0], row[1], int(row[2])) for row in rows.all() if row[2]]
