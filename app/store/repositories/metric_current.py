"""Appending metric observations: the history row, and the current value moved forward.

Every writer of `metric_observation` goes through `upsert_current` (most through
`append_observations`), so `metric_current` always holds each customer's latest observation of
each metric and `metric_period` its latest in each month and quarter (a backdated observation
never replaces a newer one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import MetricCurrent, MetricObservation, MetricPeriod
from app.store.repositories.metric_dimensions import refresh_dimensions

_CURRENT_COLUMNS = ("customer_id", "name", "value", "observed_at", "method", "details")
_PERIOD_COLUMNS = ("name", "grain", "period", "customer_id", "value", "observed_at")


def periods(at: datetime) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (grain, period) keys of an instant in UTC, e.g. ("month", "2026-11") and
    ("quarter", "2026-Q4")."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return ("month", f"{at.year:04d}-{at.month:02d}"), (
        "quarter",
        f"{at.year:04d}-Q{(at.month + 2) // 3}",
    )


def _latest(
    rows: Iterable[dict[str, Any]], key: tuple[str, ...], columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Per key, the row observed last (later rows win ties, as later writes do)."""
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        at = tuple(row[column] for column in key)
        if at not in latest or row["observed_at"] >= latest[at]["observed_at"]:
            latest[at] = {column: row.get(column) for column in columns}
    return list(latest.values())


async def _upsert_latest(
    session: AsyncSession, model: type[Any], keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Insert rows, or replace the stored one of the same key unless it was observed later."""
    dialect = session.get_bind().dialect.name
    statement = (sqlite_insert if dialect == "sqlite" else postgres_insert)(model)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: excluded[column] for column in rows[0] if column not in keys},
        where=model.observed_at <= excluded.observed_at,
    )
    await session.execute(statement, rows)


async def upsert_current(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Move each (customer, metric)'s current value and its month and quarter values forward
    to these observation rows, unless a newer one is stored."""
    if not rows:
        return
    current = _latest(rows, ("customer_id", "name"), _CURRENT_COLUMNS)
    await _upsert_latest(session, MetricCurrent, ("customer_id", "name"), current)
    by_period = (
        {**row, "grain": grain, "period": period}
        for row in rows
        for grain, period in periods(row["observed_at"])
    )
    keys = ("name", "grain", "period", "customer_id")
    await _upsert_latest(session, MetricPeriod, keys, _latest(by_period, keys, _PERIOD_COLUMNS))
    await refresh_dimensions(session, {row["customer_id"] for row in current})


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
