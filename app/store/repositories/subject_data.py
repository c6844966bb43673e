"""Queries for data subject requests: every row the master store holds about a person."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from app.store.models import (
    Acquisition,
    ApiKey,
    AuditEvent,
    ConsentEvent,
    ContactPoint,
    Customer,
    CustomerChange,
    ErasureLookalike,
    FieldProvenance,
    Interaction,
    MatchCandidate,
    MetricObservation,
    Preference,
    SourceLink,
)

RowT = TypeVar("RowT", bound=SQLModel)
MAX_MERGE_DEPTH = 16
# Tables whose rows belong to one customer through a `customer_id` column.
# The acquisition record goes with the person; the acquisition rollups keep counting them, as
# aggregates hold nothing personal (docs/metrics.md, Business metrics).
PER_CUSTOMER_TABLES: tuple[type[Any], ...] = (
    Acquisition,
    ContactPoint,
    SourceLink,
    FieldProvenance,
    MetricObservation,
    ConsentEvent,
    Preference,
    Interaction,
    CustomerChange,
)


async def merged_into(session: AsyncSession, *, customer_id: str) -> list[str]:
    """Ids of the tombstones merged (directly or through others) into `customer_id`."""
    found: list[str] = []
    frontier = [customer_id]
    for _ in range(MAX_MERGE_DEPTH):
        statement = select(col(Customer.id)).where(col(Customer.merged_into).in_(frontier))
        frontier = [row for row in await session.scalars(statement) if row not in found]
        if not frontier:
            break
        found.extend(frontier)
    return found


async def customers_by_ids(session: AsyncSession, *, ids: Sequence[str]) -> list[Customer]:
    """The customer rows with these ids, in the order given."""
    rows = {
        r.id: r for r in await session.scalars(select(Customer).where(col(Customer.id).in_(ids)))
    }
    return [rows[i] for i in ids if i in rows]


async def rows_of(
    session: AsyncSession, model: type[RowT], *, customer_ids: Sequence[str]
) -> list[RowT]:
    """Every row of a per-customer table for these customers, in insertion order."""
    column = model.customer_id  # type: ignore[attr-defined]
    statement = select(model).where(column.in_(customer_ids))
    order = getattr(model, "id", column)
    return list(await session.scalars(statement.order_by(order)))


async def match_candidates_of(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> list[MatchCandidate]:
    """Candidate pairs in which one of these customers is either side."""
    statement = (
        select(MatchCandidate)
        .where(
            or_(
                col(MatchCandidate.left_id).in_(customer_ids),
                col(MatchCandidate.right_id).in_(customer_ids),
            )
        )
        .order_by(col(MatchCandidate.id))
    )
    return list(await session.scalars(statement))


async def audit_events_of(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> list[AuditEvent]:
    """Every audit event about these customers, oldest first."""
    statement = (
        select(AuditEvent)
        .where(col(AuditEvent.customer_id).in_(customer_ids))
        .order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
    )
    return list(await session.scalars(statement))


async def delete_customer_keys(session: AsyncSession, *, customer_ids: Sequence[str]) -> list[str]:
    """Delete the API keys that act as these customers; their ids."""
    statement = select(col(ApiKey.id)).where(col(ApiKey.subject).in_(customer_ids))
    key_ids = list(await session.scalars(statement))
    if key_ids:
        await session.execute(delete(ApiKey).where(col(ApiKey.id).in_(key_ids)))
    return key_ids


async def delete_customers(session: AsyncSession, *, customer_ids: Sequence[str]) -> None:
    """Delete customer rows and, explicitly, every row that hangs off them.

    The foreign keys cascade too; deleting explicitly does not depend on SQLite's
    `foreign_keys` pragma being on for the connection.
    """
    await session.execute(
        delete(MatchCandidate).where(
            or_(
                col(MatchCandidate.left_id).in_(customer_ids),
                col(MatchCandidate.right_id).in_(customer_ids),
            )
        )
    )
    tables: tuple[type[Any], ...] = (*PER_CUSTOMER_TABLES, ErasureLookalike)
    for model in tables:
        await session.execute(delete(model).where(model.customer_id.in_(customer_ids)))
    # Tombstones first: a survivor is referenced by its tombstones' `merged_into`.
    for customer_id in reversed(customer_ids):
        await session.execute(delete(Customer).where(col(Customer.id) == customer_id))
