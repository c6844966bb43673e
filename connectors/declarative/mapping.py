"""Turn one JSON item into a gateway record, as a description's field mapping says.

Run inside `connectors.wire.expect_shape`: a value that does not convert (a string where a
number should be, an unknown engagement type, a missing id) raises ValueError or TypeError,
which becomes `BadResponseError` for that call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.declarative.config import FieldSpec
from connectors.declarative.fields import (
    CONVERTERS,
    DEFAULT_CONVERSION,
    KIND_FIELDS,
    RecordField,
    map_key,
)
from connectors.records import CrmContact, Engagement, EngagementType, PostalAddress, Ticket

# A contact's flat address fields, gathered into its `PostalAddress`.
ADDRESS_FIELDS = ("street", "city", "postcode", "region", "country")


def _value(spec: FieldSpec, field: RecordField, item: Any) -> Any:
    if spec.value is not None:
        value: Any = spec.value
    else:
        assert spec.path is not None
        raw = spec.path.search(item)
        conversion = spec.conversion or DEFAULT_CONVERSION[field.type]
        if conversion == "map":
            assert spec.map is not None
            value = spec.map.get(map_key(raw))
        else:
            value = CONVERTERS[conversion](raw)
    if value is None:
        value = spec.default
    return _typed(value, field)


def _typed(value: Any, field: RecordField) -> Any:
    """`value` as the field's type: map results and dates from datetimes need one more step."""
    if value is None:
        return field.empty
    if field.type == "engagement_type":
        return EngagementType(CONVERTERS["lower"](value))
    if field.type == "date" and isinstance(value, datetime):
        return value.date()
    if field.type in ("datetime", "date") and isinstance(value, str):
        return CONVERTERS[field.type](value)
    return value


class RecordMapper:
    """The field mapping of one kind of data, applied to items of its responses."""

    def __init__(self, system: str, kind: str, fields: Mapping[str, FieldSpec]) -> None:
        self.system = system
        self.kind = kind
        self._catalogue = KIND_FIELDS[kind]
        self._fields = dict(fields)

    def values(self, item: Any) -> dict[str, Any]:
        """Every catalogue field of the record: mapped, or its empty value."""
        values = {
            name: _value(spec, self._catalogue[name], item) for name, spec in self._fields.items()
        }
        for name, field in self._catalogue.items():
            values.setdefault(name, field.empty)
            if field.required and values[name] is None:
                raise ValueError(f"{self.kind}: {name} is missing from an item")
        return values

    def contact(self, item: Any) -> CrmContact:
        """A `CrmContact` from a contact item."""
        values = self.values(item)
        parts = {key: values.pop(key) for key in ADDRESS_FIELDS}
        address = None
        if parts["street"] or parts["city"] or parts["postcode"]:
            address = PostalAddress("home", **parts)
        return CrmContact(system=self.system, address=address, **values)

    def ticket(self, contact_id: str, item: Any) -> Ticket:
        """A `Ticket` of `contact_id` from a ticket item."""
        return Ticket(system=self.system, contact_external_id=contact_id, **self.values(item))

    def engagement(self, contact_id: str, item: Any) -> Engagement:
        """An `Engagement` of `contact_id` from an item (a comment, a call, ...)."""
        return Engagement(system=self.system, contact_external_id=contact_id, **self.values(item))
