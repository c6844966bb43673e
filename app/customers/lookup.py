"""Finding the live customer behind an id (merged ids lead to their survivor)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFoundError
from app.store.models import Customer
from app.store.repositories import customers as customer_repo


async def live_customer(session: AsyncSession, customer_id: str) -> Customer:
    """The live customer for an id (following merges), or `NotFoundError`."""
    found = await customer_repo.resolve_survivors(session, ids=[customer_id])
    if customer_id not in found:
        raise NotFoundError("customer not found", id=customer_id)
    return found[customer_id]
