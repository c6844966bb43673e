"""Input types of the privacy mutations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from schema.enums import ConsentChannel, ConsentDecision, ConsentPurpose, LawfulBasis


@strawberry.input(description="A consent decision to append to a customer's ledger.")
class RecordConsentInput:
    customer_id: relay.GlobalID
    purpose: ConsentPurpose
    channel: ConsentChannel
    status: ConsentDecision
    lawful_basis: LawfulBasis = LawfulBasis.CONSENT
    source: str = "gateway"
    evidence: str | None = None
    expires_at: datetime | None = None


@strawberry.input(description="The customer's preferences; replaces the stored ones.")
class PreferencesInput:
    channels: list[ConsentChannel] = strawberry.field(default_factory=list)
    frequency: str | None = strawberry.field(
        default=None, description="daily, weekly, monthly, quarterly or never."
    )
    topics: list[str] = strawberry.field(default_factory=list)
    product_interests: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Preferences of a given customer.")
class SetPreferencesInput(PreferencesInput):
    customer_id: relay.GlobalID


@strawberry.input(description="The signed-in customer's own consent decision.")
class MyConsentInput:
    purpose: ConsentPurpose
    channel: ConsentChannel
    status: ConsentDecision
    evidence: str | None = None


@strawberry.input(description="Changes to the signed-in customer's own profile.")
class UpdateMyProfileInput:
    version: int = strawberry.field(description="The version you read; a stale one is CONFLICT.")
    given_name: str | None = strawberry.UNSET
    middle_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    birth_date: date | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
