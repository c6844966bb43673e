"""Setting a customer's communication preferences and interests (one row per customer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.customers.change_log import PREFERENCE_FIELDS, preference_changes, record_changes
from app.customers.lookup import live_customer
from app.errors import InvalidInputError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.privacy.consent import ConsentChannel
from app.store.db import Database
from app.store.models import Preference
from app.store.repositories.metric_dimensions import refresh_dimensions
from app.store.types import utcnow

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "never")
MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class NewPreferences:
    channels: Sequence[ConsentChannel]
    frequency: str | None
    topics: Sequence[str]
    product_interests: Sequence[str]


def _clean_list(name: str, values: Sequence[str]) -> list[str]:
    cleaned = sorted({value.strip().lower() for value in values if value.strip()})
    if len(cleaned) > MAX_ITEMS or any(len(value) > 64 for value in cleaned):
        raise InvalidInputError(f"{name}: at most {MAX_ITEMS} items of 64 characters", field=name)
    return cleaned


async def set_preferences(
    db: Database, *, customer_id: str, new: NewPreferences, source: str = "gateway"
) -> Preference:
    """Replace the customer's preferences with `new` (validated); each changed one goes to
    the change log with `source`."""
    if new.frequency is not None and new.frequency not in FREQUENCIES:
        raise InvalidInputError(
            f"frequency must be one of {', '.join(FREQUENCIES)}", field="frequency"
        )
    values: dict[str, Any] = {
        "channels": sorted({channel.value for channel in new.channels}),
        "frequency": new.frequency,
        "topics": _clean_list("topics", new.topics),
        "product_interests": _clean_list("productInterests", new.product_interests),
        "updated_at": utcnow(),
    }
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        row = await session.get(Preference, customer.id)
        before = {name: getattr(row, name) for name in PREFERENCE_FIELDS} if row else {}
        if row is None:
            row = Preference(customer_id=customer.id, **values)
            session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        customer.updated_at = values["updated_at"]
        await session.flush()
        await record_changes(
            session, preference_changes(customer.id, before, values, source=source)
        )
        await refresh_dimensions(session, [customer.id])
        emit(session, EventKind.PROFILE_CHANGED, [customer.id], changed=["preferences"])
    return row
