"""Keyset pagination, the one module for it: opaque cursors, page-size checks and pages.

Store queries page with `Page` and these cursors; `page_newest_first` pages a list already in
memory. The GraphQL side only maps a `Page` to a Relay connection (`schema/connections.py`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson

from app.errors import InvalidInputError
from app.settings import Settings

T = TypeVar("T")


def encode_cursor(*values: Any) -> str:
    """An opaque cursor holding the sort key of a row (datetimes as ISO strings)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode()


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The sort key inside `cursor`; a malformed cursor is a `BAD_USER_INPUT` error."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidInputError("malformed cursor", argument="after") from None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInputError("malformed cursor", argument="after")
    return values


def parse_cursor_time(value: Any) -> datetime:
    """A datetime from a decoded cursor; anything else is a `BAD_USER_INPUT` error."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInputError("malformed cursor", argument="after") from None
    if parsed.tzinfo is None:
        raise InvalidInputError("malformed cursor", argument="after")
    return parsed


def decode_time_id_cursor(cursor: str) -> tuple[datetime, int]:
    """The (timestamp, row id) position inside a timeline cursor."""
    at, row_id = decode_cursor(cursor, 2)
    if not isinstance(row_id, int):
        raise InvalidInputError("malformed cursor", argument="after")
    return parse_cursor_time(at), row_id


def check_page_size(first: int | None, *, default: int, maximum: int) -> int:
    """The page size to use: `first` if within 1..maximum, else a `BAD_USER_INPUT` error."""
    if first is None:
        return default
    if first < 1 or first > maximum:
        raise InvalidInputError(
            f"`first` must be between 1 and {maximum}", argument="first", maximum=maximum
        )
    return first


def requested_page_size(first: int | None, settings: Settings) -> int:
    """`check_page_size` with the configured default and maximum."""
    return check_page_size(
        first, default=settings.default_page_size, maximum=settings.max_page_size
    )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list, with the cursor of each item."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


SortKey = tuple[datetime, str]


def page_newest_first(
    items: Sequence[T], key: Callable[[T], SortKey], *, first: int, after: str | None
) -> Page[T]:
    """`first` items of a list held in memory after the `after` cursor, ordered by `key`
    descending (a source system's orders or survey responses)."""
    position: SortKey | None = None
    if after is not None:
        at, item_id = decode_cursor(after, 2)
        if not isinstance(item_id, str):
            raise InvalidInputError("malformed cursor", argument="after")
        position = (parse_cursor_time(at), item_id)
    ordered = sorted(items, key=key, reverse=True)
    remaining = [item for item in ordered if position is None or key(item) < position]
    page = remaining[:first]
    return Page(
        items=page,
        cursors=[encode_cursor(*key(item)) for item in page],
        has_next_page=len(remaining) > first,
        has_previous_page=after is not None,
    )
