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

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

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
    """What the rollups count of one record."""

    customer_id: str
    acquired_at: datetime
    channel: str | None
    campaign: str | None
    system: str
    lost_at: datetime | None = None


def day_of(at: datetime) -> str:
    """The UTC day of an instant, as the rollups key it (YYYY-MM-DD)."""
    return at.astimezone(UTC).date().isoformat()


def month_of(at: datetime) -> str:
    """The UTC month of an instant (YYYY-MM)."""
    return day_of(at)[:7]


class _Deltas:
    """Changes to the rollups, summed before they are written."""

    def __init__(self) -> None:
        self.acquired: Counter[tuple[str, str, str]] = Counter()
        self.lost: Counter[tuple[str, str, str]] = Counter()
        self.retention: Counter[tuple[str, str]] = Counter()

    def add(self, facts: AcquisitionFacts, sign: int) -> None:
        key = (facts.channel or NONE_KEY, facts.campaign or NONE_KEY)
        self.acquired[(day_of(facts.acquired_at), *key)] += sign
        if facts.lost_at is not None:
            self.lost[(day_of(facts.lost_at), *key)] += sign
            self.retention[(month_of(facts.acquired_at), month_of(facts.lost_at))] += sign

    async def apply(self, session: AsyncSession) -> None:
        keys = sorted(set(self.acquired) | set(self.lost))  # one lock order: no deadlocks
        movement = [
            {
                "day": day,
                "channel": channel,
                "campaign": campaign,
                "acquired": self.acquired[(day, channel, campaign)],
                "lost": self.lost[(day, channel, campaign)],
            }
            for day, channel, campaign in keys
            if self.acquired[(day, channel, campaign)] or self.lost[(day, channel, campaign)]
        ]
        await _increment(session, _MOVEMENT, ("day", "channel", "campaign"), movement)
        retention = [
            {"cohort": cohort, "lost_month": lost_month, "lost": count}
            for (cohort, lost_month), count in sorted(self.retention.items())
            if count
        ]
        await _increment(session, _RETENTION, ("cohort", "lost_month"), retention)


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
            select(Acquisition).where(Acquisition.customer_id.in_(chunk))  # type: ignore[attr-defined]
        )
        found.update((row.customer_id, row) for row in rows.scalars())
    return found


def _facts(row: Acquisition) -> AcquisitionFacts:
    return AcquisitionFacts(
        row.customer_id, row.acquired_at, row.channel, row.campaign, row.system, row.lost_at
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
    rows = []
    for record in {record.customer_id: record for record in records}.values():
        old = stored.get(record.customer_id)
        lost_at = record.lost_at
        if old is not None:
            deltas.add(_facts(old), -1)
            lost_at = lost_at or (old.lost_at and max(old.lost_at, record.acquired_at))
        new = replace(record, lost_at=lost_at)
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
            select(Acquisition, Customer.lifecycle_stage, Customer.updated_at, Customer.merged_into)
            .join(Customer, Customer.id == Acquisition.customer_id)  # type: ignore[arg-type]
            .where(Acquisition.customer_id.in_(chunk))  # type: ignore[attr-defined]
        )
        for record, stage, updated_at, merged_into in rows.all():
            old = _facts(record)
            if merged_into is not None:
                deltas.add(old, -1)
                await session.execute(
                    delete(Acquisition).where(Acquisition.customer_id == record.customer_id)  # type: ignore[arg-type]
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
                .where(Acquisition.customer_id == record.customer_id)  # type: ignore[arg-type]
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
    """Copy the customers' current order count and CLVs onto their acquisition records."""
    values = {
        name: select(MetricCurrent.value)
        .where(
            MetricCurrent.customer_id == Acquisition.customer_id,  # type: ignore[arg-type]
            MetricCurrent.name == name,  # type: ignore[arg-type]
        )
        .scalar_subquery()
        for name in COPIED_METRICS
    }
    statement = update(Acquisition).values(values).execution_options(synchronize_session=False)
    for chunk in _chunks(customer_ids):
        await session.execute(statement.where(Acquisition.customer_id.in_(chunk)))  # type: ignore[attr-defined]
