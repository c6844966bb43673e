"""Queries on `persisted_operation`, the operations registered for persisted-operations mode."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import PersistedOperation


async def add_missing_operations(
    session: AsyncSession, *, operations: list[PersistedOperation]
) -> list[PersistedOperation]:
    """Stage the operations whose hash is not stored yet; returns those (a hash is immutable)."""
    hashes = [operation.sha256 for operation in operations]
    stored = set(
        await session.scalars(
            select(col(PersistedOperation.sha256)).where(col(PersistedOperation.sha256).in_(hashes))
        )
    )
    new = [operation for operation in operations if operation.sha256 not in stored]
    session.add_all(new)
    return new


async def all_operations(session: AsyncSession) -> list[PersistedOperation]:
    """Every registered operation."""
    return list(await session.scalars(select(PersistedOperation)))
