"""Validation and normalization of emails (email-validator) and phones (phonenumbers, E.164)."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.errors import InvalidInputError


def normalize_email(raw: str) -> str:
    """Return the email in canonical form (lower-cased), or raise `InvalidInputError`.

    Deliverability (DNS) is not checked: the gateway must work offline and fast.
    """
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInputError(f"invalid email address: {exc}", field="email") from None
    return result.normalized.lower()


def normalize_phone(raw: str, default_region: str) -> str:
    """Return the phone number in E.164 form, or raise `InvalidInputError`.

    Numbers without a country prefix are read in `default_region` (an ISO 3166 alpha-2 code).
    """
    try:
        number = phonenumbers.parse(raw, default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidInputError("invalid phone number: cannot be parsed", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInputError("invalid phone number: not a valid number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_email(raw: str | None) -> str | None:
    """Like `normalize_email` but returns None for missing or invalid input (for matching)."""
    if not raw:
        return None
    try:
        return normalize_email(raw)
    except InvalidInputError:
        return None


def try_normalize_phone(raw: str | None, default_region: str) -> str | None:
    """Like `normalize_phone` but returns None for missing or invalid input (for matching)."""
    if not raw:
        return None
    try:
        return normalize_phone(raw, default_region)
    except InvalidInputError:
        return None
