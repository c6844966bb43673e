"""Subscriptions to customers' change events (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay

from app.errors import UnauthenticatedError
from app.events.access import check_may_follow, may_receive
from app.privacy.principals import Principal
from schema.events.context import SubscriptionContext, SubscriptionInfo
from schema.events.types import CustomerEvent, CustomerEventKind
from schema.ids import node_id_of


def _principal(context: SubscriptionContext) -> Principal:
    if context.principal is None:  # Strawberry refuses a subscribe before the ack; be sure.
        raise UnauthenticatedError("authenticate in connection_init first")
    return context.principal


async def _deliver(
    context: SubscriptionContext, kinds: list[CustomerEventKind] | None, customer_id: str | None
) -> AsyncGenerator[CustomerEvent, None]:
    principal = _principal(context)
    check_may_follow(principal, customer_id)
    wanted = [kind.value for kind in kinds] if kinds else None
    async with context.events.subscribe(kinds=wanted, customer_id=customer_id) as subscription:
        context.follow(subscription.after)
        async for event in subscription.events():
            if await may_receive(context.db, principal, event):
                context.position = event.position
                yield CustomerEvent.from_event(event)


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        description="Changes to one customer as they are committed (a customer principal: "
        "its own record only). Consent of a gated purpose is checked for every event."
    )
    async def customer_events(
        self,
        info: SubscriptionInfo,
        customer_id: relay.GlobalID,
        kinds: list[CustomerEventKind] | None = None,
    ) -> AsyncGenerator[CustomerEvent, None]:
        store_id = node_id_of(customer_id, "Customer", argument="customerId")
        async for event in _deliver(info.context, kinds, store_id):
            yield event

    @strawberry.subscription(
        description="Changes to every customer as they are committed (staff roles), "
        "optionally of some kinds only."
    )
    async def customer_event_stream(
        self,
        info: SubscriptionInfo,
        kinds: list[CustomerEventKind] | None = None,
    ) -> AsyncGenerator[CustomerEvent, None]:
        async for event in _deliver(info.context, kinds, None):
            yield event
