"""Appending metric observations: the history row, and the current value moved forward.

Every writer of `metric_observation` goes through `upsert_current` (most through
`append_observations`), so `metric_current` always holds each customer's latest observation of
each metric and `metric_period` its latest in each month and quarter (a backdated observation
never replaces a newer one), and acquisition records their current order count and CLVs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import MetricCurrent, MetricObservation, MetricPeriod
from app.store.repositories.acquisitions import COPIED_METRICS, copy_current_values
from app.store.repositories.metric_dimensions import NAMES as DIMENSIONS
from app.store.repositories.metric_dimensions import dimensions_of

_CURRENT_COLUMNS = ("customer_id", "name", "value", "observed_at", "method", "details")
_PERIOD_COLUMNS = ("name", "grain", "period", "customer_id", "value", "observed_at")
_OBSERVATION_COLUMNS = (
    "customer_id",
    "name",
    "value",
    "observed_at",
    "source",
    "method",
    "details",
)
_OBSERVATION_TABLE: Table = MetricObservation.__table__  # type: ignore[attr-defined]
_CURRENT_TABLE: Table = MetricCurrent.__table__  # type: ignore[attr-defined]
_PERIOD_TABLE: Table = MetricPeriod.__table__  # type: ignore[attr-defined]


@lru_cache(maxsize=1024)
def periods(at: datetime) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (grain, period) keys of an instant in UTC, e.g. ("month", "2026-11") and
    ("quarter", "2026-Q4")."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return ("month", f"{at.year:04d}-{at.month:02d}"), (
        "quarter",
        f"{at.year:04d}-Q{(at.month + 2) // 3}",
    )


def _latest_current(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (customer, metric), the row observed last (later rows win ties, as writes do)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["customer_id"], row["name"])
        held = latest.get(key)
        if held is None or row["observed_at"] >= held["observed_at"]:
            latest[key] = row
    return [{column: row.get(column) for column in _CURRENT_COLUMNS} for row in latest.values()]


def _latest_periods(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (metric, grain, period, customer), the value observed last."""
    latest: dict[tuple[str, str, str, str], tuple[float, datetime]] = {}
    for row in rows:
        at = row["observed_at"]
        for grain, period in periods(at):
            key = (row["name"], grain, period, row["customer_id"])
            held = latest.get(key)
            if held is None or at >= held[1]:
                latest[key] = (row["value"], at)
    return [
        dict(zip(_PERIOD_COLUMNS, (*key, value, at), strict=True))
        for key, (value, at) in latest.items()
    ]


async def _upsert_latest(
    session: AsyncSession, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Insert rows, or replace the stored one of the same key unless it was observed later
    (Core, not ORM, statements: a recompute writes tens of thousands of rows)."""
    dialect = session.get_bind().dialect.name
    statement = (sqlite_insert if dialect == "sqlite" else postgres_insert)(table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: excluded[column] for column in rows[0] if column not in keys},
        where=table.c.observed_at <= excluded.observed_at,
    )
    await session.execute(statement, rows)


async def upsert_current(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Move each (customer, metric)'s current value and its month and quarter values forward
    to these observation rows, unless a newer one is stored."""
    if not rows:
        return
    current = _latest_current(rows)
    groups = await dimensions_of(session, {row["customer_id"] for row in current})
    unknown = dict.fromkeys(DIMENSIONS)
    for row in current:
        row.update(groups.get(row["customer_id"], unknown))
    await _upsert_latest(session, _CURRENT_TABLE, ("customer_id", "name"), current)
    period_keys = ("name", "grain", "period", "customer_id")
    await _upsert_latest(session, _PERIOD_TABLE, period_keys, _latest_periods(rows))
    # A cohort's values are read from the acquisition records: keep their copies current.
    copied = {row["customer_id"] for row in current if row["name"] in COPIED_METRICS}
    await copy_current_values(session, copied)


async def append_observations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert observations (one Core executemany) and move the current values forward."""
    if rows:
        history = [
            {column: row.get(column) for column in _OBSERVATION_COLUMNS}
            | {"source": row.get("source") or "gateway"}
            for row in rows
        ]
        await session.execute(insert(_OBSERVATION_TABLE), history)
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
        col(MetricCurrent.customer_id),
        col(MetricCurrent.name),
        col(MetricCurrent.value),
        col(MetricCurrent.method),
    ).where(col(MetricCurrent.customer_id).in_(customer_ids))
    grouped: dict[str, dict[str, CurrentValue]] = defaultdict(dict)
    for customer_id, name, value, method in await session.execute(statement):
        grouped[customer_id][name] = CurrentValue(value, method)
    return grouped
