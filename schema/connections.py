"""Relay connections for the schema: page info from a page's cursors, and the edge of connections
whose items are not nodes. Cursors and pages themselves are `app.pagination`'s."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry
from strawberry import relay

ItemType = TypeVar("ItemType")


def page_info(cursors: list[str], *, has_next: bool, has_previous: bool) -> relay.PageInfo:
    """Relay page info for a page whose item cursors are `cursors`."""
    return relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type(description="An edge in a connection.")
class Edge(Generic[ItemType]):
    """An edge of a connection whose items are not Relay nodes (`relay.Edge` wants a `Node`).

    Named, described and shaped as `relay.Edge`, so the SDL is the same (`<Item>Edge`)."""

    cursor: str = strawberry.field(description="A cursor for use in pagination")
    node: ItemType = strawberry.field(description="The item at the end of the edge")
