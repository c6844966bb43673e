"""Queries on `source_link`, the crosswalk of source-system identities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import SourceLink

# Built once: building and keying a statement costs more CPU than a small indexed read.
_BY_CUSTOMER = (
    select(SourceLink)
    .where(col(SourceLink.customer_id).in_(bindparam("customer_ids", expanding=True)))
    .order_by(col(SourceLink.system), col(SourceLink.external_id))
)


async def links_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[SourceLink]]:
    """Each customer's source identities, by system then external id."""
    grouped: dict[str, list[SourceLink]] = defaultdict(list)
    for row in await session.scalars(_BY_CUSTOMER, {"customer_ids": list(customer_ids)}):
        grouped[row.customer_id].append(row)
    return grouped


async def get_link(session: AsyncSession, *, system: str, external_id: str) -> SourceLink | None:
    statement = select(SourceLink).where(
        col(SourceLink.system) == system, col(SourceLink.external_id) == external_id
    )
    return (await session.scalars(statement)).first()
