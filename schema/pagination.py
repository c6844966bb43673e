"""Relay page info, shared by every connection of the schema."""

from __future__ import annotations

from strawberry import relay


def page_info(cursors: list[str], *, has_next: bool, has_previous: bool) -> relay.PageInfo:
    """Relay page info for a page whose item cursors are `cursors`."""
    return relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
