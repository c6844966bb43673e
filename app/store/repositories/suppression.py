"""Queries on `suppression_entry`, the keyed digests of erased people's identifiers."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import SuppressionEntry


async def known_digests(session: AsyncSession, *, digests: Collection[str]) -> set[str]:
    """Which of these digests are on the list."""
    if not digests:
        return set()
    statement = select(col(SuppressionEntry.digest)).where(
        col(SuppressionEntry.digest).in_(list(digests))
    )
    return set(await session.scalars(statement))


async def add_digests(session: AsyncSession, *, kinds: Mapping[str, str]) -> int:
    """Add digest -> kind entries not on the list yet; how many were new."""
    known = await known_digests(session, digests=list(kinds))
    new = [SuppressionEntry(digest=d, kind=k) for d, k in kinds.items() if d not in known]
    session.add_all(new)
    await session.flush()
    return len(new)
