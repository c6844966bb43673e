"""Types of the privacy domain: audit events, data subject exports and erasures."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.privacy import export as privacy_export
from app.store import models
from schema.sources.types import SourceReportType


@strawberry.type(description="Who read or changed a customer's record, when, and for what.")
class AuditEvent:
    occurred_at: datetime
    principal: str = strawberry.field(description="The API key id or token subject.")
    role: str
    purpose: str | None
    action: str = strawberry.field(description="read, or the change made (create, update...).")
    fields: list[str] = strawberry.field(description="The personal-data fields involved.")
    request_id: str | None

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        return cls(
            occurred_at=row.occurred_at,
            principal=row.principal,
            role=row.role,
            purpose=row.purpose,
            action=row.action,
            fields=list(row.fields),
            request_id=row.request_id,
        )


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventConnection:
    edges: list[relay.Edge[AuditEvent]]
    page_info: relay.PageInfo


@strawberry.type(description="Everything held or linked about one customer (data subject export).")
class DataExport:
    customer: relay.GlobalID = strawberry.field(description="The customer the export is about.")
    generated_at: datetime
    sources: list[SourceReportType] = strawberry.field(
        description="How each source system answered; a system that did not answer is "
        "reported here and in the document, and its data is missing from the document."
    )
    document: JSON = strawberry.field(
        description="The export as one JSON document: master-store rows, identities, consents "
        "with history, preferences, metric history, interactions, live source-system data, "
        "the merged timeline and the access log. It is personal data."
    )

    @classmethod
    def from_export(cls, export: privacy_export.DataExport) -> DataExport:
        return cls(
            customer=relay.GlobalID("Customer", export.customer_id),
            generated_at=export.generated_at,
            sources=[SourceReportType.from_report(report) for report in export.sources],
            document=export.document,
        )
