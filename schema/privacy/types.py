"""Types of the privacy domain: audit events, data subject exports and erasures."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.privacy import erasure
from app.privacy import export as privacy_export
from app.store import models
from schema.enums import mirror_enum
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


ErasureState = mirror_enum(
    erasure.TaskState,
    "ErasureState",
    "Where a customer's erasure stands in one system: DONE and NOT_FOUND (the system did not "
    "know them) are finished; FAILED is retried by calling eraseCustomer again; UNSUPPORTED "
    "needs someone to erase the person in that system by hand.",
)


@strawberry.type(description="How a customer's erasure went in one source system.")
class SystemErasure:
    system: str
    state: ErasureState  # type: ignore[valid-type]
    attempts: int = strawberry.field(description="How many times the system was asked.")
    detail: str | None = strawberry.field(description="Why the last attempt did not finish.")
    updated_at: datetime

    @classmethod
    def from_outcome(cls, outcome: erasure.SystemErasure) -> SystemErasure:
        return cls(
            system=outcome.system,
            state=ErasureState(outcome.state.value),
            attempts=outcome.attempts,
            detail=outcome.detail,
            updated_at=outcome.updated_at,
        )


@strawberry.type(description="A customer's erasure: removed from the gateway, and per system.")
class Erasure:
    customer: relay.GlobalID = strawberry.field(
        description="The erased customer's former id (it no longer resolves)."
    )
    requested_at: datetime
    completed_at: datetime | None = strawberry.field(
        description="When every linked system had reported the person erased."
    )
    complete: bool = strawberry.field(
        description="False while a system has not erased yet: call eraseCustomer again."
    )
    systems: list[SystemErasure] = strawberry.field(
        description="One entry per linked source system."
    )

    @classmethod
    def from_outcome(cls, outcome: erasure.ErasureOutcome) -> Erasure:
        return cls(
            customer=relay.GlobalID("Customer", outcome.customer_id),
            requested_at=outcome.requested_at,
            completed_at=outcome.completed_at,
            complete=outcome.complete,
            systems=[SystemErasure.from_outcome(system) for system in outcome.systems],
        )
