"""The read-audit ledger as a connection: who read a customer's record, for which purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from app.pagination import requested_page_size
from app.privacy import policy
from app.privacy.audit import audit_trail
from schema.connections import Edge, page_info
from schema.context import Info
from schema.permissions import requires_own_record_or
from schema.privacy.types import AuditEvent, AuditEventConnection


async def audit_page(
    info: Info, customer_id: str, first: int | None, after: str | None, *, reads_only: bool
) -> AuditEventConnection:
    """One page of a customer's audit events (reads only, or every read and change)."""
    size = requested_page_size(first, info.context.settings)
    page = await audit_trail(
        info.context.db, customer_id=customer_id, first=size, after=after, reads_only=reads_only
    )
    return AuditEventConnection(
        edges=[
            Edge(cursor=cursor, node=AuditEvent.from_model(row))
            for cursor, row in zip(page.cursors, page.items, strict=True)
        ],
        page_info=page_info(
            page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
        ),
    )


@strawberry.type
class CustomerPrivacyFields:
    """Fields of `Customer` about who has accessed it."""

    if TYPE_CHECKING:
        id: str

    @strawberry.field(
        description="Who read this record and for which purpose, newest first: for the customer "
        "themselves (`me { accessLog }`) and for admins.",
        extensions=[
            requires_own_record_or(policy.AUDIT_ROLES, "read another customer's access log")
        ],
    )
    async def access_log(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AuditEventConnection | None:
        return await audit_page(info, self.id, first, after, reads_only=True)
