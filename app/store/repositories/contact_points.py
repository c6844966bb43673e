"""Queries on `contact_point`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import ContactPoint

# Built once: building and keying a statement costs more CPU than a small indexed read.
_BY_CUSTOMER = (
    select(ContactPoint)
    .where(col(ContactPoint.customer_id).in_(bindparam("customer_ids", expanding=True)))
    .order_by(col(ContactPoint.is_primary).desc(), col(ContactPoint.id))
)


async def contact_points_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[ContactPoint]]:
    """Each customer's contact points, primary first, then oldest first."""
    grouped: dict[str, list[ContactPoint]] = defaultdict(list)
    for row in await session.scalars(_BY_CUSTOMER, {"customer_ids": list(customer_ids)}):
        grouped[row.customer_id].append(row)
    return grouped


async def get_contact_point(session: AsyncSession, *, contact_point_id: int) -> ContactPoint | None:
    return await session.get(ContactPoint, contact_point_id)


async def find_contact_point(
    session: AsyncSession, *, customer_id: str, kind: str, value: str
) -> ContactPoint | None:
    """The customer's contact point of this kind and normalized value, if stored."""
    statement = select(ContactPoint).where(
        col(ContactPoint.customer_id) == customer_id,
        col(ContactPoint.kind) == kind,
        col(ContactPoint.value) == value,
    )
    return (await session.scalars(statement)).first()


async def clear_primary(session: AsyncSession, *, customer_id: str, kind: str) -> None:
    """Unset the primary flag on the customer's contact points of this kind."""
    for row in await session.scalars(
        select(ContactPoint).where(
            col(ContactPoint.customer_id) == customer_id,
            col(ContactPoint.kind) == kind,
            col(ContactPoint.is_primary).is_(True),
        )
    ):
        row.is_primary = False


async def delete_contact_point(session: AsyncSession, *, contact_point_id: int) -> None:
    await session.execute(delete(ContactPoint).where(col(ContactPoint.id) == contact_point_id))
