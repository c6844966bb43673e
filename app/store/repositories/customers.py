"""Queries on the `customer` table: lookups that follow merge tombstones, filters, keyset pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.pagination import encode_cursor
from app.store.models import ConsentEvent, ContactPoint, Customer, SourceLink
from app.store.repositories.merge_hops import follow_hop, next_ids
from app.store.types import utcnow

MAX_MERGE_HOPS = 16
# Built once: building and keying a statement costs more CPU than a small indexed read.
_BY_IDS = select(Customer).where(col(Customer.id).in_(bindparam("ids", expanding=True)))


class CustomerOrderField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    FAMILY_NAME = "family_name"


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Which customers a list shows; every given criterion must hold."""

    lifecycle_stage: str | None = None
    segment: str | None = None
    updated_since: datetime | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    # (purpose, channel or None for any channel) pairs: only customers whose consents hold now.
    consented_to: tuple[tuple[str, str | None], ...] = ()
    consent_checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerOrder:
    field: CustomerOrderField = CustomerOrderField.CREATED_AT
    descending: bool = False


async def get_customers(session: AsyncSession, *, ids: Sequence[str]) -> dict[str, Customer]:
    """The rows with these ids, as stored (tombstones included)."""
    if not ids:
        return {}
    rows = await session.scalars(_BY_IDS, {"ids": list(ids)})
    return {row.id: row for row in rows}


async def resolve_survivors(session: AsyncSession, *, ids: Sequence[str]) -> dict[str, Customer]:
    """Map each requested id to its live customer, following `merged_into` tombstones.

    Ids that do not exist are absent from the result.
    """
    found = await get_customers(session, ids=ids)
    result: dict[str, Customer] = {}
    pending = dict(found)
    for _ in range(MAX_MERGE_HOPS):
        targets = next_ids(pending)
        survivors = await get_customers(session, ids=list(targets)) if targets else {}
        pending = follow_hop(pending, survivors, result)
        if not pending:
            break
    return result


async def customer_id_by_source(
    session: AsyncSession, *, system: str, external_id: str
) -> str | None:
    """The customer linked to an identity in a source system, if any."""
    statement = select(col(SourceLink.customer_id)).where(
        col(SourceLink.system) == system, col(SourceLink.external_id) == external_id
    )
    return (await session.scalars(statement)).first()


def _filtered(statement: Select[Any], criteria: CustomerFilter) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [col(Customer.merged_into).is_(None)]
    if criteria.lifecycle_stage:
        conditions.append(col(Customer.lifecycle_stage) == criteria.lifecycle_stage)
    if criteria.segment:
        conditions.append(col(Customer.segment) == criteria.segment)
    if criteria.updated_since:
        conditions.append(col(Customer.updated_at) >= criteria.updated_since)
    for kind, value in (("email", criteria.email), ("phone", criteria.phone)):
        if value:
            conditions.append(
                col(Customer.id).in_(
                    select(col(ContactPoint.customer_id)).where(
                        col(ContactPoint.kind) == kind, col(ContactPoint.value) == value
                    )
                )
            )
    if criteria.name:
        wanted = criteria.name.strip().lower()
        full = func.lower(
            func.coalesce(col(Customer.given_name), "")
            + " "
            + func.coalesce(col(Customer.family_name), "")
        )
        conditions.append(or_(full == wanted, func.lower(col(Customer.family_name)) == wanted))
    now = criteria.consent_checked_at or utcnow()
    for purpose, channel in criteria.consented_to:
        conditions.append(_consent_holds(purpose, channel, now))
    return statement.where(and_(*conditions))


def _consent_holds(purpose: str, channel: str | None, now: datetime) -> ColumnElement[bool]:
    """The customer's newest ledger entry for purpose (x channel) is an unexpired grant."""
    entry = aliased(ConsentEvent)
    later = aliased(ConsentEvent)
    newer_exists = (
        select(col(later.id))
        .where(
            col(later.customer_id) == col(entry.customer_id),
            col(later.purpose) == col(entry.purpose),
            col(later.channel) == col(entry.channel),
            or_(
                col(later.captured_at) > col(entry.captured_at),
                and_(
                    col(later.captured_at) == col(entry.captured_at), col(later.id) > col(entry.id)
                ),
            ),
        )
        .exists()
    )
    grant = select(col(entry.id)).where(
        col(entry.customer_id) == col(Customer.id),
        col(entry.purpose) == purpose,
        col(entry.status) == "granted",
        or_(col(entry.expires_at).is_(None), col(entry.expires_at) > now),
        ~newer_exists,
    )
    if channel is not None:
        grant = grant.where(col(entry.channel) == channel)
    return grant.exists()


def _sort_key(order: CustomerOrder) -> ColumnElement[Any]:
    if order.field is CustomerOrderField.FAMILY_NAME:
        return func.coalesce(col(Customer.family_name), "")
    column: ColumnElement[Any] = getattr(Customer, order.field.value)
    return column


def _cursor_of(row: Customer, order: CustomerOrder) -> str:
    value = getattr(row, order.field.value)
    if order.field is CustomerOrderField.FAMILY_NAME:
        value = value or ""
    return encode_cursor(value, row.id)


async def count_customers(session: AsyncSession, *, criteria: CustomerFilter) -> int:
    """How many live customers match `criteria`."""
    statement = _filtered(select(func.count()).select_from(Customer), criteria)
    return int((await session.execute(statement)).scalar_one())


async def update_customer(
    session: AsyncSession, *, customer_id: str, expected_version: int, values: dict[str, Any]
) -> bool:
    """Apply `values` and bump the version if the stored version is `expected_version`.

    Returns False (and writes nothing) when the version no longer matches.
    """
    statement = (
        update(Customer)
        .where(col(Customer.id) == customer_id, col(Customer.version) == expected_version)
        .values(**values, version=expected_version + 1)
    )
    # An UPDATE's result is a CursorResult (it has a row count); the session types it as Result.
    result = cast("CursorResult[Any]", await session.execute(statement))
    return bool(result.rowcount == 1)


def consent_holds(purpose: str, channel: str | None, now: datetime) -> ColumnElement[bool]:
    """A condition on `customer`: its consent for purpose (on channel, or any) holds at `now`."""
    return _consent_holds(purpose, channel, now)
