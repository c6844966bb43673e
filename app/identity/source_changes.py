"""Upstream records as incoming person records: what each kind says about a person."""

from __future__ import annotations

from app.identity.ingest import IncomingRecord
from app.identity.record import PersonRecord
from connectors.records import CrmContact, ErpPartner, PostalAddress, SourceChange, SurveyResponse


def _address_fields(address: PostalAddress | None) -> dict[str, str | None]:
    if address is None:
        return {}
    return {
        "street": address.street,
        "city": address.city,
        "postcode": address.postcode,
        "region": address.region,
        "country": address.country,
    }


def _partner(change: SourceChange, partner: ErpPartner) -> IncomingRecord:
    # A company's own record names the company; the person is its contact.
    full_name = partner.contact_name if partner.is_company else partner.name
    values = {
        "full_name": full_name,
        "email": partner.email,
        "phone": partner.mobile or partner.phone,
        "loyalty_id": partner.reference,
        **_address_fields(partner.addresses[0] if partner.addresses else None),
    }
    return _incoming(change, values)


def _contact(change: SourceChange, contact: CrmContact) -> IncomingRecord | None:
    if contact.archived:
        return None
    values = {
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "email": contact.email,
        "phone": contact.phone or contact.mobile,
        "birth_date": contact.birth_date.isoformat() if contact.birth_date else None,
        **_address_fields(contact.address),
    }
    return _incoming(change, values)


def _response(change: SourceChange, response: SurveyResponse) -> IncomingRecord | None:
    # The identity is the survey tool's contact; an anonymous response identifies nobody.
    if not response.contact_external_id:
        return None
    values = {"email": response.respondent_email}
    return _incoming(change, values, external_id=response.contact_external_id)


def _incoming(
    change: SourceChange, values: dict[str, str | None], *, external_id: str | None = None
) -> IncomingRecord:
    identity = external_id or change.external_id
    return IncomingRecord(
        system=change.system,
        external_id=identity,
        person=PersonRecord.from_fields(identity, values, source=change.system),
        observed_at=change.changed_at,
    )


def incoming_from_change(change: SourceChange) -> IncomingRecord | None:
    """The person record a change carries, or None when it carries no person (then skipped)."""
    record = change.record
    if isinstance(record, ErpPartner):
        return _partner(change, record)
    if isinstance(record, CrmContact):
        return _contact(change, record)
    if isinstance(record, SurveyResponse):
        return _response(change, record)
    return None
