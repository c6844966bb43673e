"""Who may receive which change event, decided per event at delivery time.

An event names a customer and the fields that changed, never their values, so there is
nothing to mask; what is decided is whether the principal may learn that the customer
changed at all. The consent of a gated purpose is read fresh for every event, so a
withdrawal stops gated events from the very next one.
"""

from __future__ import annotations

from app.errors import ForbiddenError
from app.events.dispatch import ChangeEvent
from app.events.kinds import CONSENT_FREE_KINDS
from app.privacy import policy
from app.privacy.consent import holds
from app.privacy.principals import Principal, Role
from app.store.db import Database
from app.store.repositories import timelines
from app.store.types import utcnow


def check_may_follow(principal: Principal, customer_id: str | None) -> None:
    """Raise `ForbiddenError` unless the principal may subscribe to these events
    (`customer_id` None: every customer's)."""
    if customer_id is None:
        policy.require_role(principal, policy.EVENT_STREAM_ROLES, "follow every customer's events")
        return
    policy.require_role(principal, policy.CUSTOMER_EVENT_ROLES, "follow a customer's events")
    if principal.role is Role.CUSTOMER and customer_id != principal.subject:
        raise ForbiddenError("a customer may only follow their own events")


async def may_receive(db: Database, principal: Principal, event: ChangeEvent) -> bool:
    """Whether this event may be delivered to the principal now."""
    if principal.role is Role.CUSTOMER and event.customer_id != principal.subject:
        return False
    purpose = policy.consent_needed(principal)
    if purpose is None or event.kind in CONSENT_FREE_KINDS:
        return True
    async with db.session() as session:
        latest = await timelines.current_consents_by_customer(
            session, customer_ids=[event.customer_id]
        )
    return holds(latest.get(event.customer_id, []), purpose.value, None, utcnow())
