"""Read every page of an endpoint, the way its `Paging` says, up to its page cap."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from connectors.declarative.client import DeclarativeClient
from connectors.declarative.config import Paging
from connectors.declarative.expressions import Expression
from connectors.errors import BadResponseError
from connectors.wire import expect_shape


def page_items(system: str, items: Expression, body: Any) -> list[Any]:
    """The items `items` selects in a page: a list, or one object.

    Selecting nothing is a wrong shape (a vendor answering 200 with something else), not an
    empty page: an empty page is an empty list.
    """
    with expect_shape(system, "page"):
        found = items.search(body)
        if found is None:
            raise KeyError(items.source)
        if isinstance(found, dict):
            return [found]
        if not isinstance(found, list):
            raise TypeError(f"items is a {type(found).__name__}")
        return found


async def iter_pages(
    client: DeclarativeClient,
    paging: Paging,
    items: Expression,
    path: str,
    params: Mapping[str, Any],
) -> AsyncIterator[list[Any]]:
    """The items of each page, first page first, until the last page or `max_pages`."""
    system = client.system
    query: dict[str, Any] = dict(params)
    if paging.size_param and paging.size:
        query[paging.size_param] = paging.size
    if paging.style == "page":
        assert paging.param is not None
        query[paging.param] = paging.start
    elif paging.style == "offset":
        assert paging.param is not None
        query[paging.param] = 0
    for _ in range(paging.max_pages):
        reply = await client.page(path, query)
        found = page_items(system, items, reply.body)
        yield found
        if paging.style == "none":
            return
        if paging.style in ("offset", "page"):
            assert paging.param is not None and paging.size is not None
            if len(found) < paging.size or _stops(system, paging, reply.body):
                return
            step = len(found) if paging.style == "offset" else 1
            query = {**query, paging.param: int(query[paging.param]) + step}
            continue
        if paging.style == "link":
            link = reply.next_link
        else:
            if _stops(system, paging, reply.body):
                return
            assert paging.next is not None
            with expect_shape(system, "paging"):
                link = paging.next.search(reply.body)
                if link is not None and not isinstance(link, str | int):
                    raise TypeError("the next cursor is not a string")
            if link in (None, "") or not found:
                return
            if paging.param is not None:
                query = {**query, paging.param: str(link)}
                continue
        if not link:
            return
        relative = client.relative(str(link))
        if relative is None:
            raise BadResponseError(system, "a next-page link points away from the base URL")
        # The link carries the whole query (cursor, page size): send nothing more.
        path, query = relative, {}


def _stops(system: str, paging: Paging, body: Any) -> bool:
    with expect_shape(system, "paging"):
        if paging.has_more is not None and not paging.has_more.search(body):
            return True
        return paging.end is not None and bool(paging.end.search(body))
