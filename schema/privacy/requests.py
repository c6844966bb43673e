"""Data subject requests: the export of a customer's data (staff or the customer themselves)."""

from __future__ import annotations

from strawberry.types import Info

from app.privacy.export import export_customer_data
from schema.privacy.types import DataExport

EXPORT_AUDIT_FIELDS = ["data_subject_export"]


async def export_for(info: Info, customer_id: str) -> DataExport:
    """Export `customer_id`'s data (the caller's role is already checked) and audit it."""
    context = info.context
    export = await export_customer_data(context.db, context.sources.graph, customer_id=customer_id)
    context.access.record_change(export.customer_id, "export", EXPORT_AUDIT_FIELDS)
    return DataExport.from_export(export)
