"""Types of the privacy domain: audit events, data subject exports and erasures."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.privacy import erasure
from app.privacy import export as privacy_export
from app.privacy.suppression import IdentifierKind as SuppressedKind
from app.store import models
from schema.connections import Edge
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
    edges: list[Edge[AuditEvent]]
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
            document=JSON(export.document),
        )


if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    ErasureState = erasure.TaskState
else:
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
    state: ErasureState
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


if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    IdentifierKind = SuppressedKind
    LookalikeStatus = models.LookalikeStatus
else:
    IdentifierKind = mirror_enum(
        SuppressedKind,
        "IdentifierKind",
        "A kind of identifier that erasure puts on the suppression list.",
    )
    LookalikeStatus = mirror_enum(
        models.LookalikeStatus,
        "LookalikeStatus",
        "PENDING awaits a steward; DISMISSED: a steward found it is someone else.",
    )
LOOKALIKE_TYPE = "ErasureLookalike"


@strawberry.type(
    description="A live customer that held an identifier of an erased person: a housemate, "
    "or the same person under a second record. Queued for a steward, who erases it too "
    "(eraseCustomer) or dismisses it (dismissErasureLookalike). Ids and kinds only."
)
class ErasureLookalike:
    id: relay.GlobalID
    erased_customer: relay.GlobalID = strawberry.field(
        description="The erased customer's former id."
    )
    customer: relay.GlobalID = strawberry.field(
        description="The live customer that held the same identifiers."
    )
    identifier_kinds: list[IdentifierKind] = strawberry.field(
        description="Which kinds of identifier both held (never their values)."
    )
    status: LookalikeStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None = strawberry.field(description="The steward who reviewed it.")

    @classmethod
    def from_model(cls, row: models.ErasureLookalike) -> ErasureLookalike:
        return cls(
            id=relay.GlobalID(LOOKALIKE_TYPE, str(row.id)),
            erased_customer=relay.GlobalID("Customer", row.erased_id),
            customer=relay.GlobalID("Customer", row.customer_id),
            identifier_kinds=[IdentifierKind(kind) for kind in row.kinds],
            status=LookalikeStatus(row.status),
            created_at=row.created_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
        )


@strawberry.type(description="A page of erasure look-alikes awaiting a steward, oldest first.")
class ErasureLookalikeConnection:
    edges: list[Edge[ErasureLookalike]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="How many await a steward in all.")


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
    lookalikes: list[ErasureLookalike] = strawberry.field(
        description="Live customers that held one of the erased person's identifiers, each "
        "queued for a steward (see erasureLookalikes)."
    )

    @classmethod
    def from_outcome(cls, outcome: erasure.ErasureOutcome) -> Erasure:
        return cls(
            customer=relay.GlobalID("Customer", outcome.customer_id),
            requested_at=outcome.requested_at,
            completed_at=outcome.completed_at,
            complete=outcome.complete,
            systems=[SystemErasure.from_outcome(system) for system in outcome.systems],
            lookalikes=[ErasureLookalike.from_model(row) for row in outcome.lookalikes],
        )
