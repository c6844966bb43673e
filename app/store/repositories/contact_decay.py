"""Queries of contact-data decay: when each live contact point was last confirmed (verified or
changed), and how often each kind of contact data changed over a period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import ContactPoint, Customer, CustomerChange

CONTACT_KINDS: tuple[str, ...] = ("email", "phone", "address")
_TOUCHING = ("added", "changed")
_NOT_THE_WORLD = ("merge", "unmerge")  # a merge moves values; nothing changed for the person


def _confirmed_at() -> Any:
    """Per contact point: the later of its verification and its last ADDED/CHANGED entry (or
    its creation, for a value older than the change log)."""
    touched = (
        select(
            col(CustomerChange.customer_id),
            col(CustomerChange.item),
            func.max(col(CustomerChange.changed_at)).label("touched"),
        )
        .where(
            col(CustomerChange.field).in_(CONTACT_KINDS),
            col(CustomerChange.action).in_(_TOUCHING),
            col(CustomerChange.source).not_in(_NOT_THE_WORLD),
        )
        .group_by(col(CustomerChange.customer_id), col(CustomerChange.item))
        .subquery()
    )
    base = func.coalesce(touched.c.touched, col(ContactPoint.created_at))
    confirmed = case(
        (col(ContactPoint.verified_at) > base, col(ContactPoint.verified_at)),
        else_=base,
    )
    join = and_(
        touched.c.customer_id == col(ContactPoint.customer_id),
        touched.c.item == col(ContactPoint.kind) + literal(":") + col(ContactPoint.value),
    )
    return touched, join, confirmed


def _live_points(*columns: Any) -> Any:
    touched, join, confirmed = _confirmed_at()
    statement = (
        select(*columns, confirmed.label("confirmed"))
        .select_from(ContactPoint)
        .join(Customer, col(Customer.id) == col(ContactPoint.customer_id))
        .outerjoin(touched, join)
        .where(col(Customer.merged_into).is_(None))
    )
    return statement, confirmed


async def stale_counts(
    session: AsyncSession, *, confirmed_before: datetime
) -> dict[str, tuple[int, int]]:
    """Per contact kind: (points last confirmed before the cutoff, all points), live customers."""
    inner, _ = _live_points(col(ContactPoint.kind))
    inner = inner.subquery()
    statement = select(
        inner.c.kind,
        func.count().filter(inner.c.confirmed < confirmed_before),
        func.count(),
    ).group_by(inner.c.kind)
    rows = await session.execute(statement)
    return {kind: (int(stale), int(total)) for kind, stale, total in rows}


async def changed_customers(
    session: AsyncSession, *, since: datetime, until: datetime
) -> tuple[dict[str, int], int]:
    """Per kind, live customers known at `since` whose contact data of that kind changed
    between `since` and `until`; and how many live customers were known at `since`."""
    known = and_(col(Customer.created_at) < since, col(Customer.merged_into).is_(None))
    statement = (
        select(
            col(CustomerChange.field), func.count(func.distinct(col(CustomerChange.customer_id)))
        )
        .join(Customer, col(Customer.id) == col(CustomerChange.customer_id))
        .where(
            known,
            col(CustomerChange.field).in_(CONTACT_KINDS),
            col(CustomerChange.changed_at) >= since,
            col(CustomerChange.changed_at) < until,
            col(CustomerChange.source).not_in(_NOT_THE_WORLD),
        )
        .group_by(col(CustomerChange.field))
    )
    changed = {field: int(n) for field, n in await session.execute(statement)}
    population = await session.scalar(select(func.count()).select_from(Customer).where(known))
    return changed, int(population or 0)


async def stale_kinds_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str], confirmed_before: datetime
) -> dict[str, dict[str, datetime]]:
    """Per customer, each contact kind with a point last confirmed before the cutoff, and the
    oldest such confirmation."""
    inner, _ = _live_points(col(ContactPoint.customer_id), col(ContactPoint.kind))
    inner = inner.where(col(ContactPoint.customer_id).in_(customer_ids)).subquery()
    statement = (
        select(inner.c.customer_id, inner.c.kind, func.min(inner.c.confirmed))
        .where(inner.c.confirmed < confirmed_before)
        .group_by(inner.c.customer_id, inner.c.kind)
    )
    found: dict[str, dict[str, datetime]] = defaultdict(dict)
    for customer_id, kind, oldest in await session.execute(statement):
        found[customer_id][kind] = oldest
    return found


async def stalest_customers(
    session: AsyncSession,
    *,
    confirmed_before: datetime,
    first: int,
    after: tuple[datetime, str] | None,
) -> list[tuple[str, datetime]]:
    """Up to `first` + 1 live customers with stale contact data, the longest unconfirmed first:
    (customer id, its oldest confirmation)."""
    inner, _ = _live_points(col(ContactPoint.customer_id))
    inner = inner.subquery()
    per_customer = (
        select(inner.c.customer_id, func.min(inner.c.confirmed).label("oldest"))
        .where(inner.c.confirmed < confirmed_before)
        .group_by(inner.c.customer_id)
        .subquery()
    )
    statement = select(per_customer.c.customer_id, per_customer.c.oldest)
    if after is not None:
        at, customer_id = after
        statement = statement.where(
            or_(
                per_customer.c.oldest > at,
                and_(per_customer.c.oldest == at, per_customer.c.customer_id > customer_id),
            )
        )
    statement = statement.order_by(per_customer.c.oldest, per_customer.c.customer_id).limit(
        first + 1
    )
    return [(cid, oldest) for cid, oldest in await session.execute(statement)]
