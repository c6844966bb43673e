"""Keyset pages over source lists already held in memory, newest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from app.errors import InvalidInputError
from app.pagination import Page, decode_cursor, encode_cursor, parse_cursor_time

T = TypeVar("T")
SortKey = tuple[datetime, str]


def page_newest_first(
    items: Sequence[T], key: Callable[[T], SortKey], *, first: int, after: str | None
) -> Page[T]:
    """`first` items after the `after` cursor, ordered by `key` descending."""
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
