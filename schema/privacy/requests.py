"""Data subject requests: export (staff or the customer themselves) and erasure."""

from __future__ import annotations

from strawberry.types import Info

from app.privacy.erasure import erase_customer
from app.privacy.export import export_customer_data
from schema.privacy.types import DataExport, Erasure

EXPORT_AUDIT_FIELDS = ["data_subject_export"]
ERASURE_AUDIT_FIELDS = ["data_subject_erasure"]


async def export_for(info: Info, customer_id: str) -> DataExport:
    """Export `customer_id`'s data (the caller's role is already checked) and audit it."""
    context = info.context
    export = await export_customer_data(context.db, context.sources.graph, customer_id=customer_id)
    context.access.record_change(export.customer_id, "export", EXPORT_AUDIT_FIELDS)
    return DataExport.from_export(export)


async def erase(info: Info, customer_id: str) -> Erasure:
    """Erase (or retry erasing) `customer_id` (the caller's role is already checked); audited."""
    context = info.context
    outcome = await erase_customer(
        context.db,
        context.sources.graph,
        context.settings,
        customer_id=customer_id,
        requested_by=context.access.principal.id,
    )
    # The customer's own keys are gone: stop trusting them in this process now.
    context.request.app.state.authenticator.api_keys.forget(outcome.removed_key_ids)
    context.access.record_change(outcome.customer_id, "erase", ERASURE_AUDIT_FIELDS)
    return Erasure.from_outcome(outcome)
