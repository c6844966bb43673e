"""Queries for webhooks: processed event ids, the matching queue, linking a respondent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import CandidateStatus, ContactPoint, Customer, UnmatchedRespondent
from app.store.models import WebhookEvent as WebhookEventRow


async def is_processed(session: AsyncSession, *, system: str, event_id: str) -> bool:
    statement = select(col(WebhookEventRow.id)).where(
        col(WebhookEventRow.system) == system, col(WebhookEventRow.event_id) == event_id
    )
    return (await session.scalars(statement)).first() is not None


async def customer_ids_by_email(session: AsyncSession, *, email: str) -> list[str]:
    """Live customers with this (normalized) email address."""
    statement = (
        select(col(ContactPoint.customer_id))
        .join(Customer, col(Customer.id) == col(ContactPoint.customer_id))
        .where(
            col(ContactPoint.kind) == "email",
            col(ContactPoint.value) == email,
            col(Customer.merged_into).is_(None),
        )
        .distinct()
    )
    return list(await session.scalars(statement))


async def pending_unmatched(
    session: AsyncSession, *, first: int, after: int | None
) -> list[UnmatchedRespondent]:
    """Up to `first + 1` queued respondents, oldest first, after row id `after`."""
    statement = select(UnmatchedRespondent).where(
        col(UnmatchedRespondent.status) == CandidateStatus.PENDING
    )
    if after is not None:
        statement = statement.where(col(UnmatchedRespondent.id) > after)
    statement = statement.order_by(col(UnmatchedRespondent.id)).limit(first + 1)
    return list(await session.scalars(statement))
