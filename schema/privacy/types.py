"""Types of the privacy domain: audit events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from app.store import models


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
