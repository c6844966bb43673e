"""Queries on `erasure_request` and `erasure_task`: the record of each erasure, kept for good."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import ErasureRequest, ErasureTask


async def get_request(session: AsyncSession, *, customer_id: str) -> ErasureRequest | None:
    """The erasure of this (former) customer id, if there was one."""
    return await session.get(ErasureRequest, customer_id)


async def tasks_of(session: AsyncSession, *, customer_id: str) -> list[ErasureTask]:
    """The erasure's per-system tasks, by system then id."""
    statement = (
        select(ErasureTask)
        .where(ErasureTask.customer_id == customer_id)
        .order_by(ErasureTask.system, ErasureTask.id)
    )
    return list(await session.scalars(statement))


async def get_task(session: AsyncSession, *, task_id: int) -> ErasureTask | None:
    return await session.get(ErasureTask, task_id)
