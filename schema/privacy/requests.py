"""Data subject requests: export (staff or the customer themselves) and erasure."""

from __future__ import annotations

from schema.context import Info
from schema.privacy.types import DataExport, Erasure


async def export_for(info: Info, customer_id: str) -> DataExport:
    """Export `customer_id`'s data (the caller's role is already checked); audited."""
    export = await info.context.subject_requests.export(customer_id)
    return DataExport.from_export(export)


async def erase(info: Info, customer_id: str) -> Erasure:
    """Erase (or retry erasing) `customer_id` (the caller's role is already checked); audited."""
    context = info.context
    outcome = await context.subject_requests.erase(customer_id)
    # The customer's own keys are gone: stop trusting them in this process now.
    context.request.app.state.authenticator.api_keys.forget(outcome.removed_key_ids)
    return Erasure.from_outcome(outcome)
