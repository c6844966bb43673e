"""The types of a customer's history: change-log entries and the record as it was."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import relay

from app.customers.change_log import (
    CONTACT_FIELDS,
    IDENTITY_FIELD,
    ChangeAction,
)
from app.customers.history import API_NAME_BY_FIELD, RecordAsOf
from app.privacy.masking import PiiKind
from app.store import models
from schema.connections import Edge
from schema.customers.parts import (
    Consent,
    EmailAddress,
    PhoneNumber,
    PostalAddress,
    Preferences,
    SourceIdentity,
)
from schema.enums import LifecycleStage, ProfileType, mirror_enum
from schema.privacy.pii import pii

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    ChangeKind = ChangeAction
else:
    ChangeKind = mirror_enum(
        ChangeAction, "ChangeAction", "What a change did to its field (SET for single values)."
    )

_KIND_OF_FIELD: dict[str, PiiKind] = {
    "given_name": PiiKind.NAME,
    "middle_name": PiiKind.NAME,
    "family_name": PiiKind.NAME,
    "birth_date": PiiKind.BIRTH_DATE,
    "loyalty_id": PiiKind.IDENTIFIER,
    "national_id": PiiKind.IDENTIFIER,
    "email": PiiKind.EMAIL,
    "phone": PiiKind.PHONE,
    "address": PiiKind.ADDRESS,
    IDENTITY_FIELD: PiiKind.IDENTIFIER,
}
"""The personal-data kind of each history field's values (absent: not personal data)."""


def _shown(field: str, value: Any) -> str | None:
    """A stored value as one string: a contact point's value, an identity's system and id."""
    if value is None:
        return None
    if field in CONTACT_FIELDS and isinstance(value, dict):
        return str(value.get("value"))
    if field == IDENTITY_FIELD and isinstance(value, dict):
        return f"{value.get('system')}:{value.get('external_id')}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@strawberry.type(
    description="One change to one field of the golden record: what it was, what it became, "
    "where the new value came from and who made the change."
)
class CustomerChange:
    customer_id: strawberry.Private[str]
    pii_kind: strawberry.Private[PiiKind | None]
    field: str = strawberry.field(
        description="The field: a profile field (givenName...), email, phone, address, "
        "identity, preferences.<name>, merge or mergedInto."
    )
    action: ChangeKind
    old_value: str | None = pii(
        PiiKind.FREE_TEXT,
        "The value before the change, masked like the field itself for roles without "
        "personal-data access (an email as j***@example.com).",
    )
    new_value: str | None = pii(PiiKind.FREE_TEXT, "The value after the change, masked likewise.")
    source: str = strawberry.field(
        description="The system or channel the new value came from (gateway, self_service, "
        "hubspot, odoo, merge...)."
    )
    rule: str | None = strawberry.field(
        description="The survivorship rule that chose the value, or direct_edit."
    )
    principal: str = strawberry.field(description="Who made the change (key id, cli, webhook).")
    request_id: str | None
    changed_at: datetime = strawberry.field(
        description="When the value changed: the source system's own change time where it "
        "gives one."
    )
    recorded_at: datetime = strawberry.field(description="When the gateway recorded it.")

    @classmethod
    def from_model(cls, row: models.CustomerChange) -> CustomerChange:
        return cls(
            customer_id=row.customer_id,
            pii_kind=_KIND_OF_FIELD.get(row.field),
            field=API_NAME_BY_FIELD.get(row.field, row.field),
            action=ChangeKind(row.action),
            old_value=_shown(row.field, row.old_value),
            new_value=_shown(row.field, row.new_value),
            source=row.source,
            rule=row.rule,
            principal=row.principal,
            request_id=row.request_id,
            changed_at=row.changed_at,
            recorded_at=row.recorded_at,
        )


@strawberry.type(description="A page of a customer's changes, newest first.")
class CustomerChangeConnection:
    edges: list[Edge[CustomerChange]]
    page_info: relay.PageInfo


def _enum_or_none(enum: Any, value: Any) -> Any:
    return enum(value) if isinstance(value, str) else None


@strawberry.type(description="A customer's record as it stood at one moment (`at`).")
class CustomerAsOf:
    customer_id: strawberry.Private[str]
    at: datetime
    given_name: str | None = pii(PiiKind.NAME)
    middle_name: str | None = pii(PiiKind.NAME)
    family_name: str | None = pii(PiiKind.NAME)
    birth_date: date | None = pii(PiiKind.BIRTH_DATE)
    loyalty_id: str | None = pii(PiiKind.IDENTIFIER, "The loyalty card number then.")
    locale: str | None
    lifecycle_stage: LifecycleStage | None
    profile_type: ProfileType | None
    segment: str | None
    emails: list[EmailAddress]
    phones: list[PhoneNumber]
    addresses: list[PostalAddress]
    identities: list[SourceIdentity]
    consents: list[Consent] = strawberry.field(
        description="Consents as they stood then (a grant expired by then is not granted)."
    )
    preferences: Preferences | None

    @classmethod
    def from_record(cls, record: RecordAsOf) -> CustomerAsOf:
        profile = record.profile
        points = record.points
        preferences = None
        if record.preferences is not None:
            prefs = record.preferences
            preferences = Preferences(
                channels=list(prefs.get("channels") or []),
                frequency=prefs.get("frequency"),
                topics=list(prefs.get("topics") or []),
                product_interests=list(prefs.get("product_interests") or []),
                updated_at=record.at,
            )
        return cls(
            customer_id=record.customer_id,
            at=record.at,
            given_name=profile["given_name"],
            middle_name=profile["middle_name"],
            family_name=profile["family_name"],
            birth_date=profile["birth_date"],
            loyalty_id=profile["loyalty_id"],
            locale=profile["locale"],
            lifecycle_stage=_enum_or_none(LifecycleStage, profile["lifecycle_stage"]),
            profile_type=_enum_or_none(ProfileType, profile["profile_type"]),
            segment=profile["segment"],
            emails=[EmailAddress.from_model(p) for p in points if p.kind == "email"],
            phones=[PhoneNumber.from_model(p) for p in points if p.kind == "phone"],
            addresses=[PostalAddress.from_model(p) for p in points if p.kind == "address"],
            identities=[SourceIdentity.from_model(link) for link in record.links],
            consents=[Consent.from_model(event, record.at) for event in record.consents],
            preferences=preferences,
        )
