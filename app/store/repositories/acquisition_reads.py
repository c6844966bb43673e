"""What businessMetrics and retentionCohorts read: the acquisition rollups, the cohort values
of the acquisition records (one covering index range) and the spend ledger, summed in SQL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import (
    Acquisition,
    AcquisitionMovement,
    AcquisitionRetention,
    AcquisitionSpend,
)

# How rows are keyed: by channel, by campaign, by UTC month, or one group (None).
KEYS = ("channel", "campaign", "month")


@dataclass(frozen=True, slots=True)
class MovementRow:
    key: str | None
    acquired: int
    lost: int


@dataclass(frozen=True, slots=True)
class CohortRow:
    key: str | None
    customers: int
    buyers: int
    repeat_buyers: int
    with_clv: int
    clv_sum: float
    with_revenue: int
    revenue_sum: float


@dataclass(frozen=True, slots=True)
class SpendRow:
    period_start: date
    period_end: date
    channel: str | None
    campaign: str | None
    category: str
    amount: float


def _movement_key(key: str | None) -> ColumnElement[Any]:
    if key == "month":
        return func.substr(AcquisitionMovement.day, 1, 7)
    if key is None:
        return literal(None)
    return getattr(AcquisitionMovement, key)


async def movement(
    session: AsyncSession, *, since: date | None, until: date, key: str | None
) -> list[MovementRow]:
    """Acquired and lost per key on days in [since, until] (since None: from the start)."""
    column = _movement_key(key).label("key")
    conditions = [AcquisitionMovement.day <= until.isoformat()]
    if since is not None:
        conditions.append(AcquisitionMovement.day >= since.isoformat())
    statement = select(
        column,
        func.coalesce(func.sum(AcquisitionMovement.acquired), 0),
        func.coalesce(func.sum(AcquisitionMovement.lost), 0),
    ).where(*conditions)
    if key is not None:
        statement = statement.group_by(column)
    rows = await session.execute(statement)
    return [MovementRow(row[0] or None, int(row[1]), int(row[2])) for row in rows.all()]


def _cohort_key(key: str | None, dialect: str) -> ColumnElement[Any]:
    if key == "month":
        if dialect == "sqlite":
            return func.strftime("%Y-%m", Acquisition.acquired_at)
        return func.to_char(func.timezone("UTC", Acquisition.acquired_at), "YYYY-MM")
    if key is None:
        return literal(None)
    return getattr(Acquisition, key)


async def cohort_values(
    session: AsyncSession, *, start: datetime, end: datetime, key: str | None
) -> list[CohortRow]:
    """Sums of the current values of the customers acquired in [start, end), per key."""
    column = _cohort_key(key, session.get_bind().dialect.name).label("key")
    orders = Acquisition.order_count
    statement = select(
        column,
        func.count(),
        func.coalesce(func.sum(case((orders >= 1, 1), else_=0)), 0),  # type: ignore[operator]
        func.coalesce(func.sum(case((orders >= 2, 1), else_=0)), 0),  # type: ignore[operator]
        func.count(Acquisition.clv_predicted),
        func.coalesce(func.sum(Acquisition.clv_predicted), 0.0),
        func.count(Acquisition.clv_historical),
        func.coalesce(func.sum(Acquisition.clv_historical), 0.0),
    ).where(Acquisition.acquired_at >= start, Acquisition.acquired_at < end)  # type: ignore[operator]
    if key is not None:
        statement = statement.group_by(column)
    rows = await session.execute(statement)
    return [
        CohortRow(
            row[0] or None, *(int(v) for v in row[1:5]), float(row[5]), int(row[6]), float(row[7])
        )
        for row in rows.all()
    ]


async def spend(
    session: AsyncSession, *, start: date, end: date, categories: Collection[str]
) -> list[SpendRow]:
    """Spend of the given categories whose period overlaps [start, end], summed per period,
    channel, campaign and category."""
    keys = (
        AcquisitionSpend.period_start,
        AcquisitionSpend.period_end,
        AcquisitionSpend.channel,
        AcquisitionSpend.campaign,
        AcquisitionSpend.category,
    )
    statement = (
        select(*keys, func.sum(AcquisitionSpend.amount))
        .where(
            and_(
                AcquisitionSpend.period_start <= end,  # type: ignore[operator]
                AcquisitionSpend.period_end >= start,  # type: ignore[operator]
                AcquisitionSpend.category.in_(sorted(categories)),  # type: ignore[attr-defined]
            )
        )
        .group_by(*keys)
    )
    rows = await session.execute(statement)
    return [SpendRow(*row[:5], float(row[5])) for row in rows.all()]


async def cohort_sizes(session: AsyncSession, *, since: str, until: str) -> dict[str, int]:
    """Customers acquired per month (YYYY-MM) in [since, until]."""
    month = func.substr(AcquisitionMovement.day, 1, 7).label("month")
    rows = await session.execute(
        select(month, func.sum(AcquisitionMovement.acquired))
        .where(
            AcquisitionMovement.day >= f"{since}-01",
            AcquisitionMovement.day <= f"{until}-31",
        )
        .group_by(month)
    )
    return {row[0]: int(row[1]) for row in rows.all() if row[1]}


async def cohort_losses(
    session: AsyncSession, *, since: str, until: str
) -> list[tuple[str, str, int]]:
    """(acquisition month, month lost, customers) of the cohorts acquired in [since, until]."""
    rows = await session.execute(
        select(
            AcquisitionRetention.cohort,
            AcquisitionRetention.lost_month,
            AcquisitionRetention.lost,
        ).where(AcquisitionRetention.cohort >= since, AcquisitionRetention.cohort <= until)
    )
    return [(row[0], row[1], int(row[2])) for row in rows.all() if row[2]]
