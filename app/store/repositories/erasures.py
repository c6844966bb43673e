"""Queries on `erasure_request`, `erasure_task` (the record of each erasure, kept for good) and
`erasure_lookalike` (live customers that held an erased person's identifiers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import (
    ContactPoint,
    Customer,
    ErasureLookalike,
    ErasureRequest,
    ErasureTask,
    LookalikeStatus,
)


async def get_request(session: AsyncSession, *, customer_id: str) -> ErasureRequest | None:
    """The erasure of this (former) customer id, if there was one."""
    return await session.get(ErasureRequest, customer_id)


async def tasks_of(session: AsyncSession, *, customer_id: str) -> list[ErasureTask]:
    """The erasure's per-system tasks, by system then id."""
    statement = (
        select(ErasureTask)
        .where(col(ErasureTask.customer_id) == customer_id)
        .order_by(col(ErasureTask.system), col(ErasureTask.id))
    )
    return list(await session.scalars(statement))


async def get_task(session: AsyncSession, *, task_id: int) -> ErasureTask | None:
    return await session.get(ErasureTask, task_id)


async def live_holders(
    session: AsyncSession,
    *,
    emails: Sequence[str],
    phones: Sequence[str],
    national_ids: Sequence[str],
    loyalty_ids: Sequence[str],
    exclude: Sequence[str],
) -> dict[str, set[str]]:
    """Live customers (not in `exclude`) holding any of these values: id -> kinds held."""
    live = (col(Customer.merged_into).is_(None)) & (col(Customer.id).not_in(exclude))
    found: dict[str, set[str]] = defaultdict(set)
    for kind, values in (("email", emails), ("phone", phones)):
        if not values:
            continue
        statement = (
            select(col(ContactPoint.customer_id))
            .join(Customer, col(Customer.id) == col(ContactPoint.customer_id))
            .where(col(ContactPoint.kind) == kind, col(ContactPoint.value).in_(values), live)
        )
        for customer_id in await session.scalars(statement):
            found[customer_id].add(kind)
    for kind, column, values in (
        ("national_id", col(Customer.national_id), national_ids),
        ("loyalty_id", col(Customer.loyalty_id), loyalty_ids),
    ):
        if values:
            statement = select(col(Customer.id)).where(column.in_(values), live)
            for customer_id in await session.scalars(statement):
                found[customer_id].add(kind)
    return dict(found)


async def add_lookalikes(
    session: AsyncSession, *, erased_id: str, holders: Mapping[str, set[str]]
) -> None:
    """Queue each holder of the erased person's identifiers for a steward."""
    session.add_all(
        ErasureLookalike(erased_id=erased_id, customer_id=customer_id, kinds=sorted(kinds))
        for customer_id, kinds in sorted(holders.items())
    )
    await session.flush()


async def lookalikes_of(session: AsyncSession, *, erased_id: str) -> list[ErasureLookalike]:
    """The look-alikes an erasure queued (those still live), oldest first."""
    statement = (
        select(ErasureLookalike)
        .where(col(ErasureLookalike.erased_id) == erased_id)
        .order_by(col(ErasureLookalike.id))
    )
    return list(await session.scalars(statement))


async def pending_lookalikes(
    session: AsyncSession, *, first: int, after: int | None
) -> tuple[list[ErasureLookalike], bool]:
    """A page of look-alikes awaiting a steward, oldest first; and whether more follow."""
    statement = select(ErasureLookalike).where(
        col(ErasureLookalike.status) == LookalikeStatus.PENDING.value
    )
    if after is not None:
        statement = statement.where(col(ErasureLookalike.id) > after)
    rows = list(
        await session.scalars(statement.order_by(col(ErasureLookalike.id)).limit(first + 1))
    )
    return rows[:first], len(rows) > first


async def count_pending_lookalikes(session: AsyncSession) -> int:
    statement = select(func.count()).where(
        col(ErasureLookalike.status) == LookalikeStatus.PENDING.value
    )
    return int(await session.scalar(statement) or 0)
