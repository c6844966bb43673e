"""The GraphQL shape of a change event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from app.events import kinds
from app.events.dispatch import ChangeEvent
from schema.enums import mirror_enum

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    CustomerEventKind = kinds.EventKind
else:
    CustomerEventKind = mirror_enum(
        kinds.EventKind, "CustomerEventKind", "What kind of change a customer event reports."
    )


@strawberry.type(
    description="A change to a customer: what changed (field names, never values) and when. "
    "Ask for the new values with a query."
)
class CustomerEvent:
    id: str = strawberry.field(description="The event's id: the same on every delivery of it.")
    kind: CustomerEventKind = strawberry.field(description="What kind of change this is.")
    customer_id: relay.GlobalID = strawberry.field(description="The customer that changed.")
    changed: list[str] = strawberry.field(
        description="Names of the fields, contact-point kinds, consents or metrics that changed."
    )
    source: str = strawberry.field(description="Who made or reported the change.")
    occurred_at: datetime = strawberry.field(description="When the change was committed.")

    @classmethod
    def from_event(cls, event: ChangeEvent) -> CustomerEvent:
        return cls(
            id=event.event_id,
            kind=CustomerEventKind(event.kind),
            customer_id=relay.GlobalID("Customer", event.customer_id),
            changed=list(event.changed),
            source=event.source,
            occurred_at=event.occurred_at,
        )
