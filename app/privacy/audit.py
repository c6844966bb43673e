"""The audit log: writing a request's reads and changes, and reading a customer's trail."""

from __future__ import annotations

from app.pagination import Page
from app.privacy.access import RequestAccess
from app.store.db import Database
from app.store.models import AuditEvent
from app.store.repositories import audit as repo


async def write_request_audit(db: Database, access: RequestAccess) -> None:
    """Persist what the request read raw and changed (nothing if it touched no personal data)."""
    rows = access.audit_rows()
    if rows:
        async with db.transaction() as session:
            await repo.append_events(session, rows=rows)


async def audit_trail(
    db: Database,
    *,
    customer_id: str,
    first: int,
    after: str | None,
    reads_only: bool = False,
) -> Page[AuditEvent]:
    """Who read or changed the customer's record, newest first."""
    async with db.session() as session:
        return await repo.trail(
            session,
            customer_id=customer_id,
            first=first,
            after=after,
            actions=("read",) if reads_only else None,
        )
