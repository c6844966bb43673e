"""The record fields a description may map, per kind of data, and the value conversions.

Each kind fills one record type of `connectors.records`; the catalogue below says which fields
it has, of what type, and which must be mapped. A conversion turns the JSON value an expression
selected into the field's type; without one, the field type's own conversion applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

from connectors.records import EngagementType
from connectors.wire import iso_date, iso_datetime

FieldType = Literal["string", "int", "bool", "datetime", "date", "engagement_type"]
Conversion = Literal[
    "string", "lower", "int", "bool", "datetime", "epoch", "epoch_ms", "date", "map"
]
CONVERSIONS: tuple[str, ...] = get_args(Conversion)


@dataclass(frozen=True, slots=True)
class RecordField:
    """One field of a record: its type, whether a description must map it, its empty value."""

    type: FieldType
    required: bool = False
    empty: Any = None  # the value when the source has none


_CONTACT: dict[str, RecordField] = {
    "external_id": RecordField("string", required=True),
    "given_name": RecordField("string"),
    "family_name": RecordField("string"),
    "email": RecordField("string"),
    "phone": RecordField("string"),
    "mobile": RecordField("string"),
    "company": RecordField("string"),
    "street": RecordField("string"),
    "city": RecordField("string"),
    "postcode": RecordField("string"),
    "region": RecordField("string"),
    "country": RecordField("string"),
    "lifecycle_stage": RecordField("string"),
    "owner_id": RecordField("string"),
    "birth_date": RecordField("date"),
    "emails_delivered": RecordField("int", empty=0),
    "email_opens": RecordField("int", empty=0),
    "email_clicks": RecordField("int", empty=0),
    "last_email_open_at": RecordField("datetime"),
    "created_at": RecordField("datetime"),
    "updated_at": RecordField("datetime"),
    "archived": RecordField("bool", empty=False),
    "original_source": RecordField("string"),
    "original_source_detail": RecordField("string"),
    "became_customer_at": RecordField("datetime"),
}
_TICKET: dict[str, RecordField] = {
    "external_id": RecordField("string", required=True),
    "subject": RecordField("string", required=True, empty=""),
    "content": RecordField("string"),
    "pipeline_stage": RecordField("string"),
    "is_closed": RecordField("bool", empty=False),
    "priority": RecordField("string"),
    "category": RecordField("string"),
    "created_at": RecordField("datetime"),
    "closed_at": RecordField("datetime"),
    "updated_at": RecordField("datetime"),
}
_ENGAGEMENT: dict[str, RecordField] = {
    "external_id": RecordField("string", required=True),
    "type": RecordField("engagement_type", required=True),
    "occurred_at": RecordField("datetime"),
    "title": RecordField("string"),
    "body": RecordField("string"),
    "direction": RecordField("string"),
    "status": RecordField("string"),
    "duration_ms": RecordField("int"),
    "updated_at": RecordField("datetime"),
}
# Kind of data -> the fields of the record it gives.
KIND_FIELDS: dict[str, dict[str, RecordField]] = {
    "contact": _CONTACT,
    "contact_by_email": _CONTACT,
    "search": _CONTACT,
    "changes": _CONTACT,
    "tickets": _TICKET,
    "engagements": _ENGAGEMENT,
}
# Which conversions can fill a field of each type.
_FITS: dict[str, frozenset[str]] = {
    "string": frozenset({"string", "lower", "map"}),
    "int": frozenset({"int", "map"}),
    "bool": frozenset({"bool", "map"}),
    "datetime": frozenset({"datetime", "epoch", "epoch_ms", "map"}),
    "date": frozenset({"date", "datetime", "map"}),
    "engagement_type": frozenset({"string", "lower", "map"}),
}
DEFAULT_CONVERSION: dict[str, str] = {
    "string": "string",
    "int": "int",
    "bool": "bool",
    "datetime": "datetime",
    "date": "date",
    "engagement_type": "lower",
}


def conversion_fits(conversion: str, field: RecordField) -> bool:
    """Whether `conversion` gives a value of the field's type."""
    return conversion in _FITS[field.type]


def literal_fits(value: Any, field: RecordField) -> bool:
    """Whether a constant or default from the file has the field's type."""
    if field.type == "engagement_type":
        return value in set(EngagementType)
    expected = {"string": str, "int": int, "bool": bool}.get(field.type)
    return expected is not None and type(value) is expected


def map_key(value: Any) -> str:
    """The key a JSON value has in a TOML value map (TOML keys are strings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"cannot map a {type(value).__name__}")


def _string(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _lower(value: Any) -> str | None:
    text = _string(value)
    return None if text is None else text.lower()


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    return int(value)


def _bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise ValueError("expected a boolean")


def _epoch(scale: float) -> Callable[[Any], datetime | None]:
    def convert(value: Any) -> datetime | None:
        number = _int(value)
        return None if number is None else datetime.fromtimestamp(number / scale, UTC)

    return convert


def _date(value: Any) -> date | None:
    return iso_date(_string(value))


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "lower": _lower,
    "int": _int,
    "bool": _bool,
    "datetime": lambda value: iso_datetime(_string(value)),
    "epoch": _epoch(1),
    "epoch_ms": _epoch(1000),
    "date": _date,
}
