"""The one door every customer passes through before a resolver returns it."""

from __future__ import annotations

from app.store import models
from app.store.types import utcnow
from schema.context import Info


async def check_visible(info: Info, row: models.Customer) -> None:
    """Raise unless the caller may see this customer (self-only rule, consent for its purpose)."""
    access = info.context.access
    consents = (
        await info.context.loaders.consents_by_customer_id.load(row.id)
        if access.consent_purpose is not None
        else []
    )
    access.check_customer(row.id, consents, utcnow())
