"""The parts of a customer's record as GraphQL types: contact points, identities, consents,
preferences and interactions.

They live apart from `Customer` so that the field mixins `Customer` inherits from other packages
(`schema.history.fields`, `schema.sources.fields`) can return them without importing `Customer`:
every import between these modules points one way.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.privacy.consent import current_state
from app.privacy.masking import PiiKind
from app.store import models
from schema.connections import Edge
from schema.enums import ConsentState, LinkMethod
from schema.privacy.pii import pii

CONTACT_POINT_TYPE = "ContactPoint"


def contact_point_global_id(row_id: int | None) -> relay.GlobalID:
    return relay.GlobalID(CONTACT_POINT_TYPE, str(row_id))


@strawberry.type(description="An email address of a customer, stored lower-cased.")
class EmailAddress:
    id: relay.GlobalID = strawberry.field(description="Opaque id, for removeContactPoint.")
    customer_id: strawberry.Private[str]
    address: str = pii(PiiKind.EMAIL, "The normalized email address.")
    label: str | None = strawberry.field(description="Free label such as work or personal.")
    is_primary: bool
    verified_at: datetime | None
    source: str = strawberry.field(description="The system or channel the value came from.")
    valid_from: datetime | None = strawberry.field(
        default=None, description="Since when the value was the customer's (includePast)."
    )
    valid_to: datetime | None = strawberry.field(
        default=None, description="Until when; null while it is current (includePast)."
    )

    @classmethod
    def from_model(cls, row: models.ContactPoint) -> EmailAddress:
        return cls(
            id=contact_point_global_id(row.id),
            customer_id=row.customer_id,
            address=row.value,
            label=row.label,
            is_primary=row.is_primary,
            verified_at=row.verified_at,
            source=row.source,
        )


@strawberry.type(description="A phone number of a customer, in E.164 form.")
class PhoneNumber:
    id: relay.GlobalID = strawberry.field(description="Opaque id, for removeContactPoint.")
    customer_id: strawberry.Private[str]
    number: str = pii(PiiKind.PHONE, "The number in E.164 form, e.g. +447911123456.")
    label: str | None = strawberry.field(description="Free label such as mobile or work.")
    is_primary: bool
    verified_at: datetime | None
    source: str
    valid_from: datetime | None = strawberry.field(
        default=None, description="Since when the value was the customer's (includePast)."
    )
    valid_to: datetime | None = strawberry.field(
        default=None, description="Until when; null while it is current (includePast)."
    )

    @classmethod
    def from_model(cls, row: models.ContactPoint) -> PhoneNumber:
        return cls(
            id=contact_point_global_id(row.id),
            customer_id=row.customer_id,
            number=row.value,
            label=row.label,
            is_primary=row.is_primary,
            verified_at=row.verified_at,
            source=row.source,
        )


@strawberry.type(description="A postal address of a customer.")
class PostalAddress:
    id: relay.GlobalID = strawberry.field(description="Opaque id, for removeContactPoint.")
    customer_id: strawberry.Private[str]
    label: str = strawberry.field(description="billing, shipping or home.")
    street: str | None = pii(PiiKind.ADDRESS)
    address_line2: str | None = pii(PiiKind.ADDRESS)
    city: str | None
    postcode: str | None = pii(PiiKind.ADDRESS)
    region: str | None
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 country code.")
    formatted: str = pii(PiiKind.ADDRESS, "The whole address on one line.")
    is_primary: bool
    verified_at: datetime | None
    source: str
    valid_from: datetime | None = strawberry.field(
        default=None, description="Since when the value was the customer's (includePast)."
    )
    valid_to: datetime | None = strawberry.field(
        default=None, description="Until when; null while it is current (includePast)."
    )

    @classmethod
    def from_model(cls, row: models.ContactPoint) -> PostalAddress:
        return cls(
            id=contact_point_global_id(row.id),
            customer_id=row.customer_id,
            label=row.label or "home",
            street=row.street,
            address_line2=row.address_line2,
            city=row.city,
            postcode=row.postcode,
            region=row.region,
            country=row.country,
            formatted=row.value,
            is_primary=row.is_primary,
            verified_at=row.verified_at,
            source=row.source,
        )


@strawberry.type(description="An identity of the customer in a source system (the crosswalk).")
class SourceIdentity:
    system: str = strawberry.field(description="The source system, e.g. odoo, hubspot, loyalty.")
    external_id: str = strawberry.field(description="The customer's id in that system.")
    method: LinkMethod
    score: float | None = strawberry.field(description="Match score when linked by matching.")
    linked_at: datetime

    @classmethod
    def from_model(cls, row: models.SourceLink) -> SourceIdentity:
        return cls(
            system=row.system,
            external_id=row.external_id,
            method=LinkMethod(row.method),
            score=row.score,
            linked_at=row.linked_at,
        )


@strawberry.type(description="A consent as it stands now, derived from the newest ledger entry.")
class Consent:
    purpose: str
    channel: str
    state: ConsentState
    granted: bool = strawberry.field(description="True only if granted and not expired.")
    lawful_basis: str
    captured_at: datetime
    expires_at: datetime | None
    source: str

    @classmethod
    def from_model(cls, row: models.ConsentEvent, now: datetime) -> Consent:
        state = ConsentState(current_state(row, now).value)
        return cls(
            purpose=row.purpose,
            channel=row.channel,
            state=state,
            granted=state is ConsentState.GRANTED,
            lawful_basis=row.lawful_basis,
            captured_at=row.captured_at,
            expires_at=row.expires_at,
            source=row.source,
        )


@strawberry.type(description="How and about what the customer wants to hear from us.")
class Preferences:
    channels: list[str]
    frequency: str | None
    topics: list[str]
    product_interests: list[str]
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.Preference) -> Preferences:
        return cls(
            channels=list(row.channels),
            frequency=row.frequency,
            topics=list(row.topics),
            product_interests=list(row.product_interests),
            updated_at=row.updated_at,
        )


@strawberry.type(description="Something that happened between the customer and us.")
class Interaction:
    id: relay.GlobalID
    customer_id: strawberry.Private[str]
    channel: str
    kind: str
    summary: str = pii(PiiKind.FREE_TEXT, "What happened, in words (may hold personal data).")
    occurred_at: datetime
    source: str = strawberry.field(description="Where it was recorded: gateway or a source system.")
    details: JSON | None

    @classmethod
    def from_model(cls, row: models.Interaction) -> Interaction:
        return cls(
            id=relay.GlobalID("Interaction", str(row.id)),
            customer_id=row.customer_id,
            channel=row.channel,
            kind=row.kind,
            summary=row.summary,
            occurred_at=row.occurred_at,
            source=row.source,
            details=None if row.details is None else JSON(row.details),
        )


@strawberry.type(description="A page of a customer's interactions, newest first.")
class InteractionConnection:
    edges: list[Edge[Interaction]]
    page_info: relay.PageInfo
