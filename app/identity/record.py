"""The person record the matching engine reads: the import FIELDs plus the record's origin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "full_name",
    "email",
    "phone",
    "street",
    "street_number",
    "address_line2",
    "city",
    "postcode",
    "region",
    "country",
    "birth_date",
    "national_id",
    "loyalty_id",
)
"""The importable fields, in the order files and forms list them."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One raw record about a person, as a source gave it (values are not normalized here).

    `record_id` is the id in `source` (a CSV id column, a CRM contact id, a master customer id).
    """

    record_id: str
    source: str = ""
    given_name: str | None = None
    family_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    street_number: str | None = None
    address_line2: str | None = None
    city: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    birth_date: str | None = None
    national_id: str | None = None
    loyalty_id: str | None = None

    @classmethod
    def from_fields(
        cls, record_id: str, values: Mapping[str, str | None], *, source: str = ""
    ) -> PersonRecord:
        """Build a record from FIELD -> value; blank values become None, unknown keys raise."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        cleaned = {
            name: (value.strip() or None) if value else None for name, value in values.items()
        }
        return cls(record_id=record_id, source=source, **cleaned)

    def field_values(self) -> dict[str, str | None]:
        """The FIELD -> value mapping of this record (without `record_id` and `source`)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in FIELDS}
