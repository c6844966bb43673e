"""Input types of the customer queries and mutations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from schema.enums import (
    ConsentChannel,
    ConsentPurpose,
    ContactKind,
    CustomerOrderField,
    LifecycleStage,
    OrderDirection,
    ProfileType,
)


@strawberry.input(description="A consent that must hold now.")
class ConsentRequirement:
    purpose: ConsentPurpose
    channel: ConsentChannel | None = strawberry.field(
        default=None, description="Any channel when omitted."
    )


@strawberry.input(description="Criteria for a customer list; all given criteria must hold.")
class CustomerFilter:
    lifecycle_stage: LifecycleStage | None = None
    segment: str | None = None
    updated_since: datetime | None = None
    email: str | None = strawberry.field(default=None, description="Exact email, any case.")
    phone: str | None = strawberry.field(default=None, description="Exact phone, any format.")
    name: str | None = strawberry.field(
        default=None, description="Exact family name or 'given family' name, any case."
    )
    consented_to: ConsentRequirement | None = strawberry.field(
        default=None, description="Only customers whose consent for this holds now (audiences)."
    )


@strawberry.input(description="Sort order of a customer list.")
class CustomerOrder:
    field: CustomerOrderField = CustomerOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="A postal address.")
class AddressInput:
    street: str
    city: str
    country: str = strawberry.field(description="ISO 3166 alpha-2 code.")
    postcode: str | None = None
    region: str | None = None
    address_line2: str | None = None
    label: str = strawberry.field(default="home", description="billing, shipping or home.")


@strawberry.input(description="A new customer; emails and phones are validated and normalized.")
class CreateCustomerInput:
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    locale: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    profile_type: ProfileType | None = None
    segment: str | None = None
    loyalty_id: str | None = None
    emails: list[str] = strawberry.field(default_factory=list, description="First is primary.")
    phones: list[str] = strawberry.field(default_factory=list, description="First is primary.")
    addresses: list[AddressInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Changes to a customer; omitted fields stay, null clears a field.")
class UpdateCustomerInput:
    id: relay.GlobalID
    version: int = strawberry.field(description="The version you read; a stale one is CONFLICT.")
    given_name: str | None = strawberry.UNSET
    middle_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    birth_date: date | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    lifecycle_stage: LifecycleStage | None = strawberry.UNSET
    profile_type: ProfileType | None = strawberry.UNSET
    segment: str | None = strawberry.UNSET
    loyalty_id: str | None = strawberry.UNSET


@strawberry.input(description="An email, phone or postal address to add to a customer.")
class AddContactPointInput:
    customer_id: relay.GlobalID
    kind: ContactKind
    value: str | None = strawberry.field(default=None, description="The email or phone.")
    address: AddressInput | None = None
    label: str | None = None
    is_primary: bool = False
    verified: bool = False


@strawberry.input(description="An interaction to record on the customer's timeline.")
class RecordInteractionInput:
    customer_id: relay.GlobalID
    channel: str = strawberry.field(description="e.g. phone, email, chat, store, web.")
    kind: str = strawberry.field(description="e.g. note, complaint, purchase, visit.")
    summary: str
    occurred_at: datetime | None = None
    source: str = "gateway"
    details: JSON | None = None


@strawberry.input(description="A metric observation to append to the customer's history.")
class RecordMetricInput:
    customer_id: relay.GlobalID
    name: str
    value: float
    observed_at: datetime | None = None
    source: str = "gateway"
    method: str | None = None
    details: JSON | None = None


@strawberry.input(description="A source-system identity to link to a customer.")
class LinkSourceIdentityInput:
    customer_id: relay.GlobalID
    system: str
    external_id: str
