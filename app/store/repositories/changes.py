"""Queries of the golden record's change log (`customer_change`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import CustomerChange


async def change_page(
    session: AsyncSession,
    *,
    customer_id: str,
    fields: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: tuple[datetime, int] | None,
) -> list[CustomerChange]:
    """Up to `first` + 1 entries of one customer, newest first (by change time, then id)."""
    statement = select(CustomerChange).where(col(CustomerChange.customer_id) == customer_id)
    if fields is not None:
        statement = statement.where(col(CustomerChange.field).in_(fields))
    if since is not None:
        statement = statement.where(col(CustomerChange.changed_at) >= since)
    if until is not None:
        statement = statement.where(col(CustomerChange.changed_at) <= until)
    if after is not None:
        at, row_id = after
        statement = statement.where(
            or_(
                col(CustomerChange.changed_at) < at,
                and_(col(CustomerChange.changed_at) == at, col(CustomerChange.id) < row_id),
            )
        )
    statement = statement.order_by(
        col(CustomerChange.changed_at).desc(),
        col(CustomerChange.id).desc(),
    ).limit(first + 1)
    return list(await session.scalars(statement))


# What replaying the log needs (who and when it was recorded are left out: cheaper rows).
_REPLAY_COLUMNS = (
    "id",
    "customer_id",
    "field",
    "action",
    "item",
    "old_value",
    "new_value",
    "changed_at",
)


async def changes_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str], fields: Sequence[str] | None = None
) -> dict[str, list[CustomerChange]]:
    """Every entry of these customers (optionally of some fields), oldest first, as plain
    rows with the columns a replay reads (attribute access as on the model)."""
    table = CustomerChange.__table__  # type: ignore[attr-defined]
    statement = select(*(table.c[name] for name in _REPLAY_COLUMNS)).where(
        col(CustomerChange.customer_id).in_(customer_ids)
    )
    if fields is not None:
        statement = statement.where(col(CustomerChange.field).in_(fields))
    statement = statement.order_by(col(CustomerChange.changed_at), col(CustomerChange.id))
    found: dict[str, list[CustomerChange]] = defaultdict(list)
    for row in await session.execute(statement):
        found[row.customer_id].append(row)  # type: ignore[arg-type]
    return found
