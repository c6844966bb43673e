"""Queries on `api_key`, the stored (hashed) API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import ApiKey, Customer


def add_api_key(session: AsyncSession, *, key: ApiKey) -> ApiKey:
    """Stage a new key row (written when the session's transaction commits)."""
    session.add(key)
    return key


async def get_api_key(session: AsyncSession, *, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_api_keys(session: AsyncSession, *, include_revoked: bool = True) -> list[ApiKey]:
    """Every key, oldest first."""
    statement = select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id))
    if not include_revoked:
        statement = statement.where(col(ApiKey.revoked_at).is_(None))
    return list(await session.scalars(statement))


async def active_keys_named_like(session: AsyncSession, *, prefix: str) -> list[ApiKey]:
    """Unrevoked keys whose name starts with `prefix`."""
    statement = select(ApiKey).where(
        col(ApiKey.name).startswith(prefix, autoescape=True),
        col(ApiKey.revoked_at).is_(None),
    )
    return list(await session.scalars(statement))


async def mark_used(session: AsyncSession, *, key_id: str, at: datetime) -> None:
    await session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=at))


async def any_live_customer_id(session: AsyncSession) -> str | None:
    """The id of some customer that has not been merged away (for demo keys)."""
    statement = (
        select(col(Customer.id))
        .where(col(Customer.merged_into).is_(None))
        .order_by(col(Customer.created_at), col(Customer.id))
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def is_live_customer(session: AsyncSession, *, customer_id: str) -> bool:
    """The customer exists and has not been merged into another."""
    customer = await session.get(Customer, customer_id)
    return customer is not None and customer.merged_into is None
