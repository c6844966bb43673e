"""Reading vendor JSON defensively: any surprise in a body becomes `BadResponseError`.

Connectors parse inside `expect_shape(system, what)`; a missing key, a wrong type or an
unparsable value raises KeyError / TypeError / ValueError there, which the context manager
translates, so a vendor changing its payload degrades one source instead of crashing a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.errors import BadResponseError


@contextmanager
def expect_shape(system: str, what: str) -> Iterator[None]:
    """Translate shape errors raised while reading `what` into `BadResponseError`."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise BadResponseError(system, f"unexpected {what} shape ({type(exc).__name__})") from None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else TypeError."""
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def as_list(value: Any) -> list[Any]:
    """`value` if it is a JSON array, else TypeError."""
    if not isinstance(value, list):
        raise TypeError(f"expected an array, got {type(value).__name__}")
    return value


def text(value: Any) -> str | None:
    """A non-empty string, or None (Odoo sends `false` for empty fields, HubSpot null or "")."""
    if value is None or value is False or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def integer(value: Any, default: int = 0) -> int:
    """An integer from a JSON number or numeric string (HubSpot sends counts as strings)."""
    if value is None or value is False or value == "":
        return default
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    return int(value)


def money(value: Any) -> Decimal:
    """A Decimal from a JSON number, via its shortest repr so 0.1 stays 0.1."""
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected an amount, got {type(value).__name__}")
    return Decimal(str(value))


def iso_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 ("2024-01-02T03:04:05.678Z", offsets accepted)."""
    raw = text(value)
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def odoo_datetime(value: Any) -> datetime | None:
    """Odoo's "YYYY-MM-DD HH:MM:SS" (always UTC, no offset) as an aware datetime."""
    raw = text(value)
    if raw is None:
        return None
    return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def iso_date(value: Any) -> date | None:
    """A date from "YYYY-MM-DD"."""
    raw = text(value)
    return None if raw is None else date.fromisoformat(raw[:10])


def many2one(value: Any) -> tuple[int, str] | None:
    """Odoo's many2one pair `[id, display_name]`, or None for `false`."""
    if value is False or value is None:
        return None
    pair = as_list(value)
    return int(pair[0]), str(pair[1])
