"""Masked forms of personal data, for callers whose role may not see the raw value."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import phonenumbers


class PiiKind(StrEnum):
    """What kind of personal data a field holds; decides how it is masked."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    IDENTIFIER = "identifier"
    FREE_TEXT = "free_text"


def mask_email(value: str) -> str:
    """`jane.doe@example.com` -> `j***@example.com` (the domain stays: it is rarely personal)."""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(value: str) -> str:
    """`+447911123789` -> `+44 *** *** 789`: country code and last three digits only."""
    digits = value.lstrip("+")
    if len(digits) < 6:
        return "***"
    try:
        country = phonenumbers.parse(value).country_code
    except phonenumbers.NumberParseException:
        return f"*** *** {digits[-3:]}"
    return f"+{country} *** *** {digits[-3:]}"


def mask_name(value: str) -> str:
    """`Doe` -> `D.`"""
    return f"{value[:1]}." if value else value


def mask_text(value: str) -> str:
    return "***" if value else value


def mask(value: Any, kind: PiiKind) -> Any:
    """The masked form of `value`; a birth date has no honest partial form, so it becomes None."""
    if value is None:
        return None
    if kind is PiiKind.EMAIL:
        return mask_email(value)
    if kind is PiiKind.PHONE:
        return mask_phone(value)
    if kind is PiiKind.NAME:
        return mask_name(value)
    if isinstance(value, str):
        return mask_text(value)
    return None
