"""Contact points no longer current, beside the current ones, with when each was valid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from strawberry import relay

from app.customers.history import point_spans
from app.errors import NotFoundError
from app.store.models import ContactPoint
from schema.context import Info

T = TypeVar("T")
PAST_CONTACT_POINT_TYPE = "PastContactPoint"


async def past_contact_points(
    info: Info, customer_id: str, kind: str, build: Callable[[ContactPoint], T]
) -> list[T]:
    """Every value of `kind` the customer had, oldest first, each as `build` makes it with
    `valid_from` and `valid_to` set (a past value's id names the entry that ended it)."""
    loaders = info.context.loaders
    customer = await loaders.customer_by_id.load(customer_id)
    if customer is None:
        raise NotFoundError("customer not found")
    points = await loaders.contact_points_by_customer_id.load(customer_id)
    entries = await info.context.history.changes_by_customer_id.load(customer_id)
    spans = sorted(point_spans(customer, points, entries, kind), key=lambda s: s.valid_from)
    found: list[Any] = []
    for span in spans:
        item = build(span.row)
        changes: dict[str, Any] = {"valid_from": span.valid_from, "valid_to": span.valid_to}
        if span.past_id is not None:
            changes["id"] = relay.GlobalID(PAST_CONTACT_POINT_TYPE, str(span.past_id))
        found.append(replace(item, **changes))  # type: ignore[type-var]
    return found
