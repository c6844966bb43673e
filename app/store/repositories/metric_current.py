"""Appending metric observations: the history row, and the current value moved forward.

Every writer of `metric_observation` goes through `append_observations`, so `metric_current`
always holds each customer's latest observation of each metric (a backdated observation
never replaces a newer current value).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import MetricCurrent, MetricObservation

_CURRENT_COLUMNS = ("customer_id", "name", "value", "observed_at", "method", "details")


async def upsert_current(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Make each row the current value of its (customer, metric) unless a newer one is."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["customer_id"], row["name"])
        if key not in latest or row["observed_at"] >= latest[key]["observed_at"]:
            latest[key] = {column: row.get(column) for column in _CURRENT_COLUMNS}
    if not latest:
        return
    dialect = session.get_bind().dialect.name
    statement = (sqlite_insert if dialect == "sqlite" else postgres_insert)(MetricCurrent)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id", "name"],
        set_={column: excluded[column] for column in _CURRENT_COLUMNS[2:]},
        where=MetricCurrent.observed_at <= excluded.observed_at,
    )
    await session.execute(statement, list(latest.values()))


async def append_observations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert observations (one executemany) and move the current values forward."""
    if rows:
        await session.execute(insert(MetricObservation), list(rows))
        await upsert_current(session, rows)


class CurrentValue(NamedTuple):
    """What recompute compares against: a current value and the method that produced it."""

    value: float
    method: str | None


async def current_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, dict[str, CurrentValue]]:
    """Each customer's current value of every metric, by metric name (no ORM rows: a batch
    reads tens of thousands of them)."""
    statement = select(
        MetricCurrent.customer_id, MetricCurrent.name, MetricCurrent.value, MetricCurrent.method
    ).where(MetricCurrent.customer_id.in_(customer_ids))  # type: ignore[attr-defined]
    grouped: dict[str, dict[str, CurrentValue]] = defaultdict(dict)
    for customer_id, name, value, method in await session.execute(statement):
        grouped[customer_id][name] = CurrentValue(value, method)
    return grouped
