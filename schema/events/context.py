"""The context of a WebSocket connection: the principal is set once `connection_init` passes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.websockets import WebSocket

from app.events.dispatch import EventDispatcher
from app.privacy.access import RequestAccess
from app.privacy.principals import Principal
from app.settings import Settings
from app.store.db import Database


@dataclass
class SubscriptionContext:
    """What subscription resolvers reach through `info.context`, one per connection."""

    websocket: WebSocket
    settings: Settings
    db: Database
    events: EventDispatcher
    request_id: str
    connection_params: dict[str, Any] = field(default_factory=dict)
    principal: Principal | None = None
    access: RequestAccess | None = None
    # Set by the event resolvers, read by the fan-out (schema/events/fanout.py): the outbox
    # position the subscription follows from, and that of the event it is yielding.
    following: int | None = None
    position: int = 0
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    def authenticated(self, principal: Principal) -> None:
        self.principal = principal
        self.access = RequestAccess(principal, self.request_id)

    def follow(self, after: int) -> None:
        """The subscription receives the events committed after position `after`."""
        self.following = after
        self.subscribed.set()


SubscriptionInfo = strawberry.Info[SubscriptionContext, None]
"""What subscription resolvers take as `info`: `info.context` is the connection's context."""
