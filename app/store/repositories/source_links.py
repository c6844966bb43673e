"""Queries on `source_link`, the crosswalk of source-system identities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import SourceLink


async def links_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[SourceLink]]:
    """Each customer's source identities, by system then external id."""
    statement = (
        select(SourceLink)
        .where(SourceLink.customer_id.in_(customer_ids))  # type: ignore[attr-defined]
        .order_by(SourceLink.system, SourceLink.external_id)
    )
    grouped: dict[str, list[SourceLink]] = defaultdict(list)
    for row in await session.scalars(statement):
        grouped[row.customer_id].append(row)
    return grouped


async def get_link(session: AsyncSession, *, system: str, external_id: str) -> SourceLink | None:
    statement = select(SourceLink).where(
        SourceLink.system == system, SourceLink.external_id == external_id
    )
    return (await session.scalars(statement)).first()
