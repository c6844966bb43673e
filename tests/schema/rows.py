"""Rows written straight into the master store, for arrange steps no mutation can do yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from app.store.db import Database
from app.store.models import ConsentEvent, Customer, MetricObservation, Preference

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    """A fixed point in time, `days` after T0 (tests never depend on the clock)."""
    return T0 + timedelta(days=days)


async def insert_customers(db: Database, *profiles: dict[str, Any]) -> list[str]:
    """Insert customers with the given columns (created/updated at T0 + index days by default)."""
    rows = [
        Customer(**{"created_at": at(index), "updated_at": at(index), **profile})
        for index, profile in enumerate(profiles)
    ]
    async with db.transaction() as session:
        session.add_all(rows)
    return [row.id for row in rows]


async def merge_into(db: Database, *, loser: str, survivor: str) -> None:
    """Make `loser` a tombstone of `survivor` (what a merge will do)."""
    async with db.transaction() as session:
        await session.execute(
            update(Customer).where(Customer.id == loser).values(merged_into=survivor)
        )


async def insert_consents(db: Database, customer_id: str, *events: dict[str, Any]) -> None:
    """Append consent ledger entries (purpose, channel, status, captured_at, ...)."""
    async with db.transaction() as session:
        session.add_all(ConsentEvent(customer_id=customer_id, **event) for event in events)


async def insert_metrics(
    db: Database, customer_id: str, name: str, *values: tuple[float, datetime]
) -> None:
    """Append observations of one metric: (value, observed_at) pairs."""
    async with db.transaction() as session:
        session.add_all(
            MetricObservation(customer_id=customer_id, name=name, value=value, observed_at=when)
            for value, when in values
        )


async def insert_preferences(db: Database, customer_id: str, **columns: Any) -> None:
    async with db.transaction() as session:
        session.add(Preference(customer_id=customer_id, **columns))
