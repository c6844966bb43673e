"""Creating, reading and updating golden records (optimistic concurrency on `version`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.customers.change_log import (
    PROFILE_FIELDS,
    Change,
    identity_linked,
    identity_unlinked,
    profile_changes,
)
from app.customers.contact_points import NewContactPoint, add_contact_point_rows
from app.customers.indexes import customers_written
from app.customers.lookup import live_customer
from app.customers.validation import clean_profile
from app.errors import ConflictError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.identity.survivorship import GATEWAY
from app.privacy.suppression import Identifiers, refuse_suppressed
from app.settings import Settings
from app.store.db import Database
from app.store.models import Customer, FieldProvenance, LinkMethod, SourceLink
from app.store.repositories import customers as customer_repo
from app.store.repositories import source_links as link_repo
from app.store.types import utcnow

LOYALTY_SYSTEM = "loyalty"


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A golden record to create, with its first contact points (all validated before writing)."""

    profile: dict[str, Any]
    contact_points: Sequence[NewContactPoint] = field(default_factory=tuple)
    source: str = "gateway"


async def create_customer(
    db: Database, new: NewCustomer, *, default_region: str, settings: Settings | None = None
) -> Customer:
    """Create a customer and its contact points in one transaction.

    With `settings`, an identifier of an erased person is refused (`SuppressedError`); callers
    that check the suppression list themselves (bulk ingest) may leave it out.
    """
    profile = clean_profile(new.profile)
    prepared = [point.validated(default_region) for point in new.contact_points]
    async with db.transaction() as session:
        if settings is not None:
            await refuse_suppressed(session, settings, _identifiers(profile, prepared))
        customer = Customer(**profile)
        session.add(customer)
        await session.flush()
        changes = profile_changes(customer.id, {}, _profile_of(customer), source=new.source)
        await _sync_loyalty_link(session, customer, changes, source=new.source)
        await add_contact_point_rows(
            session, customer.id, prepared, source=new.source, changes=changes
        )
        await customers_written(session, [customer.id], changes=changes)
        emit(
            session,
            EventKind.PROFILE_CHANGED,
            [customer.id],
            changed=[*profile, *(point.kind.value for point in prepared)],
            source=new.source,
        )
    return customer


def _profile_of(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in PROFILE_FIELDS}


def _identifiers(profile: dict[str, Any], points: Sequence[NewContactPoint]) -> Identifiers:
    loyalty_id, national_id = profile.get("loyalty_id"), profile.get("national_id")
    return Identifiers(
        emails=[p.value for p in points if p.kind.value == "email" and p.value],
        phones=[p.value for p in points if p.kind.value == "phone" and p.value],
        national_ids=[national_id] if national_id else [],
        loyalty_ids=[loyalty_id] if loyalty_id else [],
        source_ids=[(LOYALTY_SYSTEM, loyalty_id)] if loyalty_id else [],
    )


async def update_customer(
    db: Database,
    *,
    customer_id: str,
    version: int,
    changes: dict[str, Any],
    source: str | None = None,
    verified: bool = False,
    settings: Settings | None = None,
) -> Customer:
    """Apply profile changes if `version` is current; a stale version is a `ConflictError`.

    With a `source`, each changed field's provenance records it (rule `direct_edit`); with
    `verified`, the record is marked verified now (the person confirmed it themselves). With
    `settings`, a loyalty or national id of an erased person is refused (`SuppressedError`)
    unless the customer already holds it.
    """
    cleaned = clean_profile(changes)
    now = utcnow()
    async with db.transaction() as session:
        current = await live_customer(session, customer_id)
        if settings is not None:
            await refuse_suppressed(session, settings, _identifiers(cleaned, []), holder=current.id)
        if current.version != version:
            raise ConflictError(
                "the customer was changed by someone else; reload and retry",
                currentVersion=current.version,
            )
        before = _profile_of(current)
        applied = await customer_repo.update_customer(
            session,
            customer_id=current.id,
            expected_version=version,
            values={**cleaned, "updated_at": now, **({"verified_at": now} if verified else {})},
        )
        if not applied:
            raise ConflictError("the customer was changed by someone else; reload and retry")
        if source is not None:
            await _record_provenance(session, current.id, list(cleaned), source, now)
        await session.refresh(current)
        made = profile_changes(current.id, before, _profile_of(current), source=source or GATEWAY)
        if "loyalty_id" in cleaned:
            await _sync_loyalty_link(session, current, made, source=source or GATEWAY)
        await customers_written(session, [current.id], changes=made)
        emit(
            session,
            EventKind.PROFILE_CHANGED,
            [current.id],
            changed=cleaned,
            source=source or "gateway",
        )
    return current


async def _record_provenance(
    session: AsyncSession, customer_id: str, fields: list[str], source: str, at: datetime
) -> None:
    await session.execute(
        delete(FieldProvenance).where(
            col(FieldProvenance.customer_id) == customer_id,
            col(FieldProvenance.field).in_(fields),
        )
    )
    session.add_all(
        FieldProvenance(
            customer_id=customer_id, field=f, system=source, rule="direct_edit", recorded_at=at
        )
        for f in fields
    )


async def _sync_loyalty_link(
    session: AsyncSession, customer: Customer, changes: list[Change], *, source: str
) -> None:
    """Keep the `loyalty` crosswalk entry in step with the loyalty id, so card scans resolve
    (each link and unlink goes to `changes`)."""
    existing = (
        await session.scalars(
            select(SourceLink).where(
                col(SourceLink.customer_id) == customer.id, col(SourceLink.system) == LOYALTY_SYSTEM
            )
        )
    ).all()
    for link in existing:
        if link.external_id != customer.loyalty_id:
            changes.append(identity_unlinked(link, source=source))
            await session.delete(link)
    if customer.loyalty_id and all(link.external_id != customer.loyalty_id for link in existing):
        owner = await link_repo.get_link(
            session, system=LOYALTY_SYSTEM, external_id=customer.loyalty_id
        )
        if owner is not None:
            raise ConflictError("this loyalty id belongs to another customer", field="loyalty_id")
        link = SourceLink(
            customer_id=customer.id,
            system=LOYALTY_SYSTEM,
            external_id=customer.loyalty_id,
            method=LinkMethod.DETERMINISTIC,
            score=1.0,
        )
        session.add(link)
        changes.append(identity_linked(link, source=source))
        await session.flush()
