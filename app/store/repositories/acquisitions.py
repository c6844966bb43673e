"""Acquisition records and the rollups that count them, always written together.

Every write of `acquisition` goes through `write_acquisitions` or `refresh_lost`, which move
`acquisition_movement` (acquired and lost per day, channel and campaign) and
`acquisition_retention` (lost per acquisition month and month lost) by the difference, in the
write's own transaction. A customer is lost when its lifecycle stage is `past`; `lost_at` is
when the store saw it become so. A merged tombstone no longer counts: its record goes, and the
survivor keeps the earlier of the two acquisitions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import (
    Acquisition,
    AcquisitionMovement,
    AcquisitionRetention,
    Customer,
    LifecycleStage,
    MetricCurrent,
)

# Reads and updates go in chunks of customer ids (SQLite's bound-parameter limit).
_CHUNK = 500
# The rollups' key for "no channel" / "no campaign" (a primary key column cannot be null).
NONE_KEY = ""
# The current metric values copied onto each record (a cohort's values, one index range).
COPIED_METRICS = ("order_count", "clv_historical", "clv_predicted")
_MOVEMENT: Table = AcquisitionMovement.__table__  # type: ignore[attr-defined]
_RETENTION: Table = AcquisitionRetention.__table__  # type: ignore[attr-defined]
_ACQUISITION: Table = Acquisition.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AcquisitionFacts:
    """What the rollups count of one record: its keys, its loss and its copied values."""

    customer_id: str
    acquired_at: datetime
    channel: str | None
    campaign: str | None
    system: str
    lost_at: datetime | None = None
    order_count: float | None = None
    clv_historical: float | None = None
    clv_predicted: float | None = None


def day_of(at: datetime) -> str:
    """The UTC day of an instant, as the rollups key it (YYYY-MM-DD)."""
    return at.astimezone(UTC).date().isoformat()


def month_of(at: datetime) -> str:
    """The UTC month of an instant (YYYY-MM)."""
    return day_of(at)[:7]


# The rollup's counters, in column order after the key.
COUNTERS = (
    "acquired",
    "lost",
    "buyers",
    "repeat_buyers",
    "with_clv",
    "clv_sum",
    "with_revenue",
    "revenue_sum",
)


def _values(facts: AcquisitionFacts) -> dict[str, float]:
    """What one acquired customer adds to the counters of its acquisition day."""
    orders, revenue, clv = facts.order_count, facts.clv_historical, facts.clv_predicted
    return {
        "acquired": 1,
        "buyers": int(orders is not None and orders >= 1),
        "repeat_buyers": int(orders is not None and orders >= 2),
        "with_clv": int(clv is not None),
        "clv_sum": clv or 0.0,
        "with_revenue": int(revenue is not None),
        "revenue_sum": revenue or 0.0,
    }


class _Deltas:
    """Changes to the rollups, summed before they are written."""

    def __init__(self) -> None:
        self.movement: dict[tuple[str, str, str, str], Counter[str]] = {}
        self.retention: Counter[tuple[str, str]] = Counter()

    def _bump(self, at: datetime, facts: AcquisitionFacts, changes: dict[str, float]) -> None:
        day = day_of(at)
        for grain, period in (("d", day), ("m", day[:7])):
            key = (grain, period, facts.channel or NONE_KEY, facts.campaign or NONE_KEY)
            self.movement.setdefault(key, Counter()).update(changes)

    def add(self, facts: AcquisitionFacts, sign: int) -> None:
        self._bump(facts.acquired_at, facts, {k: sign * v for k, v in _values(facts).items()})
        if facts.lost_at is not None:
            self._bump(facts.lost_at, facts, {"lost": sign})
            self.retention[(month_of(facts.acquired_at), month_of(facts.lost_at))] += sign

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The changes as movement and retention rows, in key order (one lock order)."""
        movement = [
            {
                "grain": grain,
                "period": period,
                "channel": channel,
                "campaign": campaign,
                **{name: counts.get(name, 0) for name in COUNTERS},
            }
            for (grain, period, channel, campaign), counts in sorted(self.movement.items())
            if any(counts.values())
        ]
        retention = [
            {"cohort": cohort, "lost_month": lost_month, "lost": count}
            for (cohort, lost_month), count in sorted(self.retention.items())
            if count
        ]
        return movement, retention

    async def apply(self, session: AsyncSession) -> None:
        movement, retention = self.rows()
        await _increment(session, _MOVEMENT, ("grain", "period", "channel", "campaign"), movement)
        await _increment(session, _RETENTION, ("cohort", "lost_month"), retention)


def rollup_rows(
    records: Iterable[AcquisitionFacts],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The movement and retention rows that count these records in an empty store (for bulk
    loads that insert records directly)."""
    deltas = _Deltas()
    for record in records:
        deltas.add(record, +1)
    return deltas.rows()


async def _increment(
    session: AsyncSession, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Add each row's counts to the stored row of its key (inserted when missing)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (sqlite_insert if dialect == "sqlite" else postgres_insert)(table)
    counts = [column for column in rows[0] if column not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: table.c[column] + statement.excluded[column] for column in counts},
    )
    await session.execute(statement, rows)


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


async def _stored(session: AsyncSession, customer_ids: Iterable[str]) -> dict[str, Acquisition]:
    found: dict[str, Acquisition] = {}
    for chunk in _chunks(customer_ids):
        rows = await session.execute(
            select(Acquisition)
            .where(col(Acquisition.customer_id).in_(chunk))
            .with_for_update()  # the rollups move by what is stored: no lost update
            .execution_options(populate_existing=True)
        )
        found.update((row.customer_id, row) for row in rows.scalars())
    return found


def _facts(row: Acquisition) -> AcquisitionFacts:
    return AcquisitionFacts(
        row.customer_id,
        row.acquired_at,
        row.channel,
        row.campaign,
        row.system,
        row.lost_at,
        row.order_count,
        row.clv_historical,
        row.clv_predicted,
    )


async def write_acquisitions(
    session: AsyncSession, records: Sequence[AcquisitionFacts], *, at: datetime
) -> None:
    """Insert or replace the customers' acquisition records (a loss given, else the one
    stored, is kept), then set who is lost from their lifecycle stage and copy their current
    metric values."""
    if not records:
        return
    stored = await _stored(session, (record.customer_id for record in records))
    deltas = _Deltas()
    rows: list[dict[str, Any]] = []
    for record in {record.customer_id: record for record in records}.values():
        old = stored.get(record.customer_id)
        lost_at = record.lost_at
        if old is not None:
            deltas.add(_facts(old), -1)
            lost_at = lost_at or (old.lost_at and max(old.lost_at, record.acquired_at))
        new = replace(record, lost_at=lost_at)
        if old is not None:  # the customer's values move with it; copied anew below
            new = replace(
                new,
                order_count=old.order_count,
                clv_historical=old.clv_historical,
                clv_predicted=old.clv_predicted,
            )
        deltas.add(new, +1)
        rows.append(
            {
                "customer_id": new.customer_id,
                "acquired_at": new.acquired_at,
                "channel": new.channel,
                "campaign": new.campaign,
                "system": new.system,
                "lost_at": new.lost_at,
                "recorded_at": at,
                "order_count": new.order_count,
                "clv_historical": new.clv_historical,
                "clv_predicted": new.clv_predicted,
            }
        )
    dialect = session.get_bind().dialect.name
    statement = (sqlite_insert if dialect == "sqlite" else postgres_insert)(_ACQUISITION)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={column: statement.excluded[column] for column in rows[0] if column != "customer_id"},
    )
    await session.execute(statement, rows)
    await deltas.apply(session)
    ids = [row["customer_id"] for row in rows]
    await refresh_lost(session, ids)
    await copy_current_values(session, ids)


async def refresh_lost(session: AsyncSession, customer_ids: Collection[str]) -> None:
    """Follow the customers' lifecycle stage and merges: `past` marks a record lost (at the
    customer's last update), any other stage clears it; a tombstone's record moves to its
    survivor when that one has none or a later one, and is deleted."""
    deltas = _Deltas()
    inherited: dict[str, AcquisitionFacts] = {}
    for chunk in _chunks(customer_ids):
        rows = await session.execute(
            select(
                Acquisition,
                col(Customer.lifecycle_stage),
                col(Customer.updated_at),
                col(Customer.merged_into),
            )
            .join(Customer, col(Customer.id) == col(Acquisition.customer_id))
            .where(col(Acquisition.customer_id).in_(chunk))
            .with_for_update(of=Acquisition)
            .execution_options(populate_existing=True)
        )
        for record, stage, updated_at, merged_into in rows.all():
            old = _facts(record)
            if merged_into is not None:
                deltas.add(old, -1)
                await session.execute(
                    delete(Acquisition).where(col(Acquisition.customer_id) == record.customer_id)
                )
                inherited[merged_into] = replace(old, customer_id=merged_into, lost_at=None)
                continue
            lost_at = None
            if stage == LifecycleStage.PAST:
                lost_at = old.lost_at or max(updated_at, old.acquired_at)
            if lost_at == old.lost_at:
                continue
            deltas.add(old, -1)
            deltas.add(replace(old, lost_at=lost_at), +1)
            await session.execute(
                update(Acquisition)
                .where(col(Acquisition.customer_id) == record.customer_id)
                .values(lost_at=lost_at)
            )
    await deltas.apply(session)
    if inherited:
        survivors = await _stored(session, inherited)
        moved = [
            facts
            for survivor, facts in inherited.items()
            if survivor not in survivors or survivors[survivor].acquired_at > facts.acquired_at
        ]
        await write_acquisitions(session, moved, at=datetime.now(UTC))


async def copy_current_values(session: AsyncSession, customer_ids: Collection[str]) -> None:
    """Copy the customers' current order count and CLVs onto their acquisition records, and
    move the rollup's sums by the difference (records locked: no lost update)."""
    deltas = _Deltas()
    changed: list[dict[str, Any]] = []
    for chunk in _chunks(customer_ids):
        current = {
            (row.customer_id, row.name): row.value
            for row in (
                await session.execute(
                    select(
                        col(MetricCurrent.customer_id),
                        col(MetricCurrent.name),
                        col(MetricCurrent.value),
                    ).where(
                        col(MetricCurrent.customer_id).in_(chunk),
                        col(MetricCurrent.name).in_(COPIED_METRICS),
                    )
                )
            ).all()
        }
        records = await session.execute(
            select(Acquisition)
            .where(col(Acquisition.customer_id).in_(chunk))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        for record in records.scalars():
            old = _facts(record)
            values = {name: current.get((old.customer_id, name)) for name in COPIED_METRICS}
            new = replace(old, **values)  # type: ignore[arg-type]
            if new == old:
                continue
            deltas.add(old, -1)
            deltas.add(new, +1)
            changed.append({"key": old.customer_id, **values})
    if changed:
        statement = (
            update(_ACQUISITION)
            .where(_ACQUISITION.c.customer_id == bindparam("key"))
            .values({name: bindparam(name) for name in COPIED_METRICS})
        )
        await session.execute(statement, changed)
    await deltas.apply(session)
