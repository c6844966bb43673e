"""Aggregate queries for data quality: every figure is counted by the database, not in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from app.store.models import CandidateStatus, ContactPoint, Customer, MatchCandidate

CONTACT_KINDS = ("email", "phone", "address")


def valid_contact() -> ColumnElement[bool]:
    """A contact point whose value has the shape of its kind (the same rule for KPIs and rows).

    Emails: one @, something before it, a dot after it, no spaces. Phones: E.164, a plus and
    8 to 15 digits. Addresses: always valid here (they were validated when written).
    """
    value = col(ContactPoint.value)
    email = and_(
        value.like("%_@_%._%"),
        not_(value.like("%@%@%")),
        not_(value.like("% %")),
    )
    digits = func.substr(value, 2)
    phone = and_(
        value.like("+%"),
        func.length(value).between(9, 16),
        func.trim(digits, "0123456789") == "",
    )
    return case(
        (col(ContactPoint.kind) == "email", email),
        (col(ContactPoint.kind) == "phone", phone),
        else_=True,
    )


def _present(column: Mapped[str | None]) -> ColumnElement[int]:
    return func.count(func.nullif(column, ""))


@dataclass(frozen=True, slots=True)
class StoreQualityCounts:
    customers: int
    given_name: int
    family_name: int
    birth_date: int
    not_verified_since: int  # never verified, or last before the cut-off
    with_contact: dict[str, int]  # kind -> customers with at least one
    contacts: dict[str, int]  # kind -> contact points
    valid_contacts: dict[str, int]
    pending_candidates: int
    suspected_duplicates: int  # live customers in at least one pending candidate


async def store_counts(session: AsyncSession, *, verified_since: datetime) -> StoreQualityCounts:
    """The counts behind the data-quality KPIs, over live customers (tombstones left out)."""
    live = col(Customer.merged_into).is_(None)
    verified_at = col(Customer.verified_at)
    stale = or_(verified_at.is_(None), verified_at < verified_since)
    people = (
        await session.execute(
            select(
                func.count(),
                _present(col(Customer.given_name)),
                _present(col(Customer.family_name)),
                func.count(col(Customer.birth_date)),
                func.coalesce(func.sum(case((stale, 1), else_=0)), 0),
            ).where(live)
        )
    ).one()
    contacts = await session.execute(
        select(
            col(ContactPoint.kind),
            func.count(func.distinct(col(ContactPoint.customer_id))),
            func.count(),
            func.coalesce(func.sum(case((valid_contact(), 1), else_=0)), 0),
        )
        .join(Customer, col(Customer.id) == col(ContactPoint.customer_id))
        .where(live)
        .group_by(col(ContactPoint.kind))
    )
    with_contact, total, valid = {}, {}, {}
    for kind, customers, count, valid_count in contacts:
        with_contact[kind], total[kind], valid[kind] = int(customers), int(count), int(valid_count)
    pending = col(MatchCandidate.status) == CandidateStatus.PENDING
    involved = union_all(
        select(col(MatchCandidate.left_id).label("customer_id")).where(pending),
        select(col(MatchCandidate.right_id).label("customer_id")).where(pending),
    ).subquery()
    suspected = await session.scalar(
        select(func.count(func.distinct(involved.c.customer_id)))
        .select_from(involved)
        .join(Customer, col(Customer.id) == involved.c.customer_id)
        .where(live)
    )
    pending_count = await session.scalar(select(func.count()).where(pending))
    return StoreQualityCounts(
        customers=int(people[0]),
        given_name=int(people[1]),
        family_name=int(people[2]),
        birth_date=int(people[3]),
        not_verified_since=int(people[4]),
        with_contact={kind: with_contact.get(kind, 0) for kind in CONTACT_KINDS},
        contacts={kind: total.get(kind, 0) for kind in CONTACT_KINDS},
        valid_contacts={kind: valid.get(kind, 0) for kind in CONTACT_KINDS},
        pending_candidates=int(pending_count or 0),
        suspected_duplicates=int(suspected or 0),
    )


@dataclass(frozen=True, slots=True)
class CustomerContactCounts:
    present: dict[str, int]  # kind -> contact points
    invalid: dict[str, int]  # kind -> invalid contact points


async def contact_counts_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, CustomerContactCounts]:
    """Per customer and kind: how many contact points, and how many are invalid (one query)."""
    statement = (
        select(
            col(ContactPoint.customer_id),
            col(ContactPoint.kind),
            func.count(),
            func.coalesce(func.sum(case((valid_contact(), 0), else_=1)), 0),
        )
        .where(col(ContactPoint.customer_id).in_(customer_ids))
        .group_by(col(ContactPoint.customer_id), col(ContactPoint.kind))
    )
    present: dict[str, dict[str, int]] = defaultdict(dict)
    invalid: dict[str, dict[str, int]] = defaultdict(dict)
    for customer_id, kind, count, invalid_count in await session.execute(statement):
        present[customer_id][kind] = int(count)
        invalid[customer_id][kind] = int(invalid_count)
    return {
        customer_id: CustomerContactCounts(
            present=present[customer_id], invalid=invalid[customer_id]
        )
        for customer_id in present
    }


async def pending_candidates_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, int]:
    """How many pending match candidates involve each customer (one query)."""
    pending = col(MatchCandidate.status) == CandidateStatus.PENDING
    sides = union_all(
        select(col(MatchCandidate.left_id).label("customer_id")).where(
            pending,
            col(MatchCandidate.left_id).in_(customer_ids),
        ),
        select(col(MatchCandidate.right_id).label("customer_id")).where(
            pending,
            col(MatchCandidate.right_id).in_(customer_ids),
        ),
    ).subquery()
    rows = await session.execute(
        select(sides.c.customer_id, func.count()).group_by(sides.c.customer_id)
    )
    return {customer_id: int(count) for customer_id, count in rows}
