"""Adding and removing emails, phones and postal addresses, validated and normalized."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.change_log import (
    Change,
    ChangeAction,
    point_added,
    point_item,
    point_removed,
    point_value,
)
from app.customers.indexes import customers_written
from app.customers.lookup import live_customer
from app.errors import InvalidInputError, NotFoundError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.identity.contact import normalize_email, normalize_phone
from app.privacy.suppression import Identifiers, refuse_suppressed
from app.settings import Settings
from app.store.db import Database
from app.store.models import ContactKind, ContactPoint, Customer
from app.store.repositories import contact_points as repo
from app.store.types import utcnow


class AddressLabel(StrEnum):
    BILLING = "billing"
    SHIPPING = "shipping"
    HOME = "home"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    street: str
    city: str
    country: str
    postcode: str | None = None
    region: str | None = None
    address_line2: str | None = None

    def validated(self) -> PostalAddress:
        street, city, country = self.street.strip(), self.city.strip(), self.country.strip()
        if not street or not city:
            raise InvalidInputError("an address needs a street and a city", field="address")
        if len(country) != 2 or not country.isalpha():
            raise InvalidInputError(
                "country must be an ISO 3166 alpha-2 code", field="address.country"
            )
        postcode = self.postcode.strip().upper() if self.postcode else None
        return replace(self, street=street, city=city, country=country.upper(), postcode=postcode)

    def one_line(self) -> str:
        parts = [self.street, self.address_line2, self.postcode, self.city, self.region]
        return ", ".join(p for p in parts if p) + f", {self.country}"


@dataclass(frozen=True, slots=True)
class NewContactPoint:
    """An email, phone or address to add; `validated` normalizes it or raises."""

    kind: ContactKind
    value: str | None = None
    address: PostalAddress | None = None
    label: str | None = None
    is_primary: bool = False
    verified: bool = False

    def validated(self, default_region: str) -> NewContactPoint:
        if self.kind is ContactKind.ADDRESS:
            if self.address is None:
                raise InvalidInputError("an ADDRESS contact point needs `address`", field="address")
            label = self.label or AddressLabel.HOME
            if label not in set(AddressLabel):
                raise InvalidInputError(
                    "address label must be billing, shipping or home", field="label"
                )
            address = self.address.validated()
            return replace(self, address=address, value=address.one_line(), label=label)
        if not self.value:
            raise InvalidInputError(f"a {self.kind.value} contact point needs `value`")
        if self.label is not None and len(self.label) > 32:
            raise InvalidInputError("label is longer than 32 characters", field="label")
        if self.kind is ContactKind.EMAIL:
            return replace(self, value=normalize_email(self.value))
        return replace(self, value=normalize_phone(self.value, default_region))


async def add_contact_point_rows(
    session: AsyncSession,
    customer_id: str,
    points: Sequence[NewContactPoint],
    *,
    source: str,
    changes: list[Change],
) -> list[ContactPoint]:
    """Store already-validated contact points; an existing one with the same value is reused
    (made primary if asked). What was added or changed goes to `changes`."""
    stored: list[ContactPoint] = []
    for point in points:
        assert point.value is not None
        existing = await repo.find_contact_point(
            session, customer_id=customer_id, kind=point.kind.value, value=point.value
        )
        if point.is_primary:
            await repo.clear_primary(session, customer_id=customer_id, kind=point.kind.value)
        if existing is not None:
            if point.is_primary and not existing.is_primary:
                before = point_value(existing)
                existing.is_primary = True
                changes.append(
                    Change(
                        customer_id,
                        existing.kind,
                        ChangeAction.CHANGED,
                        old=before,
                        new=point_value(existing),
                        item=point_item(existing.kind, existing.value),
                        source=source,
                    )
                )
            stored.append(existing)
            continue
        address = point.address
        row = ContactPoint(
            customer_id=customer_id,
            kind=point.kind.value,
            label=point.label,
            value=point.value,
            street=address.street if address else None,
            address_line2=address.address_line2 if address else None,
            city=address.city if address else None,
            postcode=address.postcode if address else None,
            region=address.region if address else None,
            country=address.country if address else None,
            is_primary=point.is_primary,
            verified_at=utcnow() if point.verified else None,
            source=source,
        )
        session.add(row)
        stored.append(row)
        changes.append(point_added(row, source=source))
    await session.flush()
    return stored


async def add_contact_point(
    db: Database,
    *,
    customer_id: str,
    point: NewContactPoint,
    default_region: str,
    source: str = "gateway",
    settings: Settings | None = None,
) -> tuple[Customer, ContactPoint]:
    """Validate and add one contact point to a live customer.

    With `settings`, an email or phone of an erased person is refused (`SuppressedError`)
    unless the customer already holds it (addresses are never suppressed).
    """
    prepared = point.validated(default_region)
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        if settings is not None and prepared.kind is not ContactKind.ADDRESS:
            kind = "emails" if prepared.kind is ContactKind.EMAIL else "phones"
            assert prepared.value is not None
            held: dict[str, Any] = {kind: [prepared.value]}
            await refuse_suppressed(session, settings, Identifiers(**held), holder=customer.id)
        changes: list[Change] = []
        (row,) = await add_contact_point_rows(
            session, customer.id, [prepared], source=source, changes=changes
        )
        customer.updated_at = utcnow()
        await customers_written(session, [customer.id], changes=changes)
        emit(session, EventKind.PROFILE_CHANGED, [customer.id], changed=[row.kind], source=source)
    return customer, row


async def remove_contact_point(
    db: Database, *, contact_point_id: int, source: str = "gateway"
) -> Customer:
    """Delete a contact point; returns its customer."""
    async with db.transaction() as session:
        row = await repo.get_contact_point(session, contact_point_id=contact_point_id)
        if row is None:
            raise NotFoundError("contact point not found")
        customer, kind = await live_customer(session, row.customer_id), row.kind
        removed = point_removed(row, source=source)
        await repo.delete_contact_point(session, contact_point_id=contact_point_id)
        customer.updated_at = utcnow()
        await customers_written(session, [customer.id], changes=[removed])
        emit(session, EventKind.PROFILE_CHANGED, [customer.id], changed=[kind])
    return customer
