"""Queries on `api_key`, the stored (hashed) API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import ApiKey, Customer


def add_api_key(session: AsyncSession, *, key: ApiKey) -> ApiKey:
    """Stage a new key row (written when the session's transaction commits)."""
    session.add(key)
    return key


async def get_api_key(session: AsyncSession, *, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_api_keys(session: AsyncSession, *, include_revoked: bool = True) -> list[ApiKey]:
    """Every key, oldest first."""
    statement = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        statement = statement.where(ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    return list(await session.scalars(statement))


async def active_keys_named_like(session: AsyncSession, *, prefix: str) -> list[ApiKey]:
    """Unrevoked keys whose name starts with `prefix`."""
    statement = select(ApiKey).where(
        ApiKey.name.startswith(prefix, autoescape=True),  # type: ignore[attr-defined]
        ApiKey.revoked_at.is_(None),  # type: ignore[union-attr]
    )
    return list(await session.scalars(statement))


async def mark_used(session: AsyncSession, *, key_id: str, at: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at))


async def any_live_customer_id(session: AsyncSession) -> str | None:
    """The id of some customer that has not been merged away (for demo keys)."""
    statement = (
        select(Customer.id)
        .where(Customer.merged_into.is_(None))  # type: ignore[union-attr]
        .order_by(Customer.created_at, Customer.id)
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def is_live_customer(session: AsyncSession, *, customer_id: str) -> bool:
    """The customer exists and has not been merged into another."""
    customer = await session.get(Customer, customer_id)
    return customer is not None and customer.merged_into is None
