"""Queries on `audit_event` (append-only)."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.pagination import Page, decode_time_id_cursor, encode_cursor
from app.store.models import AuditEvent


async def trail(
    session: AsyncSession,
    *,
    customer_id: str,
    first: int,
    after: str | None,
    actions: tuple[str, ...] | None = None,
) -> Page[AuditEvent]:
    """A customer's audit events, newest first."""
    statement = select(AuditEvent).where(col(AuditEvent.customer_id) == customer_id)
    if actions is not None:
        statement = statement.where(col(AuditEvent.action).in_(actions))
    if after is not None:
        at, last_id = decode_time_id_cursor(after)
        statement = statement.where(
            tuple_(col(AuditEvent.occurred_at), col(AuditEvent.id)) < (at, last_id)
        )
    statement = statement.order_by(
        col(AuditEvent.occurred_at).desc(),
        col(AuditEvent.id).desc(),
    ).limit(first + 1)
    rows = list(await session.scalars(statement))
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(row.occurred_at, row.id) for row in items],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )
