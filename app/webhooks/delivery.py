"""Steps every webhook shares: claim the event id, queue the unknown, refresh the known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from app.customers.change_log import identity_linked, record_changes
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.store.db import Database
from app.store.models import MetricObservation, SourceLink, UnmatchedRespondent, WebhookEvent
from app.store.repositories import customers as customer_repo
from app.store.repositories import webhooks as repo
from app.store.repositories.metric_current import append_observations
from app.webhooks.outcome import EventResult

log = structlog.get_logger("c360.webhooks")


async def customer_of_source(db: Database, *, system: str, external_id: str) -> str | None:
    """The live customer a source identity is linked to (through merges), if any."""
    async with db.session() as session:
        linked = await customer_repo.customer_id_by_source(
            session, system=system, external_id=external_id
        )
        survivors = await customer_repo.resolve_survivors(session, ids=[linked] if linked else [])
    return survivors[linked].id if linked is not None and linked in survivors else None


async def already_processed(db: Database, *, system: str, event_id: str) -> bool:
    async with db.session() as session:
        return await repo.is_processed(session, system=system, event_id=event_id)


async def commit_event(
    db: Database,
    *,
    system: str,
    event_id: str,
    customer_id: str | None,
    rows: Iterable[Any] = (),
    change: tuple[EventKind, Sequence[str]] | None = None,
) -> bool:
    """Store the event id with the rows it produced, at once; False if it was a redelivery.

    A new source identity among the rows goes to the change log in the same transaction.

    The unique (system, event id) makes two concurrent deliveries of one event write once.
    `change` (a kind and the names of what changed) goes to the outbox for the customer.
    """
    try:
        async with db.transaction() as session:
            session.add(WebhookEvent(system=system, event_id=event_id, customer_id=customer_id))
            observations = []
            changes = []
            for row in rows:
                if isinstance(row, MetricObservation):
                    observations.append(row.model_dump(exclude={"id"}))
                    continue
                if isinstance(row, SourceLink):
                    changes.append(identity_linked(row, source=system))
                session.add(row)
            await append_observations(session, observations)
            await record_changes(session, changes)
            if change is not None and customer_id is not None:
                kind, changed = change
                emit(session, kind, [customer_id], changed=changed, source=system)
    except IntegrityError:
        return False
    return True


async def queue_unmatched(
    db: Database,
    *,
    system: str,
    event_id: str,
    external_id: str | None,
    email: str | None,
    details: dict[str, Any],
) -> EventResult:
    """Keep an unknown person for a steward to match (once per event)."""
    row = UnmatchedRespondent(
        system=system, external_id=external_id, email=email, event_id=event_id, details=details
    )
    stored = await commit_event(db, system=system, event_id=event_id, customer_id=None, rows=[row])
    return EventResult.QUEUED if stored else EventResult.DUPLICATE
