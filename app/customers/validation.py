"""Checks on profile values that are not emails or phones (those are in app.identity.contact)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.errors import InvalidInputError
from app.store.models import LifecycleStage, ProfileType
from app.store.types import utcnow

_LOCALE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Z]{2})?$")
_TEXT_LIMITS = {
    "given_name": 200,
    "middle_name": 200,
    "family_name": 200,
    "segment": 64,
    "loyalty_id": 64,
    "national_id": 64,
}
PROFILE_FIELDS = frozenset(
    {
        *_TEXT_LIMITS,
        "birth_date",
        "locale",
        "profile_type",
        "lifecycle_stage",
    }
)


def clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize golden-record fields; raise `InvalidInputError` on the first bad one.

    Text is stripped and empty text becomes None (a cleared field).
    """
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field not in PROFILE_FIELDS:
            raise InvalidInputError(f"unknown profile field {field!r}", field=field)
        cleaned[field] = _clean(field, value)
    return cleaned


def _clean(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in _TEXT_LIMITS:
        text = str(value).strip()
        if len(text) > _TEXT_LIMITS[field]:
            raise InvalidInputError(
                f"{field} is longer than {_TEXT_LIMITS[field]} characters", field=field
            )
        return text or None
    if field == "birth_date":
        return _clean_birth_date(value)
    if field == "locale":
        locale = str(value).strip()
        if not _LOCALE.match(locale):
            raise InvalidInputError("locale must look like `en` or `en_GB`", field=field)
        return locale.replace("-", "_")
    if field == "profile_type":
        return ProfileType(value).value
    if field == "lifecycle_stage":
        return LifecycleStage(value).value
    raise InvalidInputError(f"unknown profile field {field!r}", field=field)


def _clean_birth_date(value: date) -> date:
    if value > utcnow().date():
        raise InvalidInputError("birth date is in the future", field="birth_date")
    if value.year < 1900:
        raise InvalidInputError("birth date is before 1900", field="birth_date")
    return value
