"""Writing change events into the outbox, inside the transaction of the change.

`emit` adds the rows to the caller's session: they commit with the change or roll back with
it, so a crash never loses an event and a rolled-back change emits none. After the commit the
session calls the `Database.events_committed` callbacks so delivery starts at
once instead of at the next poll.

Just before the commit, each event also gets one `webhook_delivery` row per enabled webhook
endpoint that wants its kind, in the same transaction: outbound webhooks have no cursor that
could skip an event, and their state survives restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import col

from app.events.kinds import EventKind
from app.store.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

_PENDING = "c360_events_pending"


def emit(
    session: AsyncSession,
    kind: EventKind,
    customer_ids: Iterable[str],
    *,
    changed: Iterable[str] = (),
    source: str = "gateway",
) -> None:
    """Add one event per customer (field names in `changed`, never values) to the session."""
    names = sorted(set(changed))
    rows = [
        OutboxEvent(kind=kind.value, customer_id=customer_id, changed=names, source=source)
        for customer_id in dict.fromkeys(customer_ids)
    ]
    if not rows:
        return
    session.add_all(rows)
    sync_session = session.sync_session
    sync_session.info.setdefault(_PENDING, []).extend(rows)
    if not event.contains(sync_session, "after_commit", _after_commit):
        event.listen(sync_session, "before_commit", _before_commit)
        event.listen(sync_session, "after_commit", _after_commit)
        event.listen(sync_session, "after_rollback", _after_rollback)


async def forget_customers(session: AsyncSession, customer_ids: Sequence[str]) -> None:
    """Delete these customers' events and every delivery of them (dead letters too), except
    the events emitted in this transaction (an erasure's own `erased` event must still go out).

    Call it after `emit`: flushed first, the new events hold the highest ids, so no id is
    reused (SQLite gives a new row the highest id + 1, and a dispatcher that already
    delivered that id would skip the new event).
    """
    await session.flush()
    emitted: list[OutboxEvent] = session.sync_session.info.get(_PENDING, [])
    keep = [row.id for row in emitted]
    theirs = select(col(OutboxEvent.id)).where(
        col(OutboxEvent.customer_id).in_(customer_ids), col(OutboxEvent.id).not_in(keep)
    )
    await session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.outbox_id).in_(theirs)))
    await session.execute(
        delete(OutboxEvent).where(
            col(OutboxEvent.customer_id).in_(customer_ids), col(OutboxEvent.id).not_in(keep)
        )
    )


def _before_commit(session: Session) -> None:
    # Runs inside the async session's greenlet, so the synchronous calls here are allowed.
    rows: list[OutboxEvent] = session.info.get(_PENDING, [])
    if not rows:
        return
    endpoints = session.execute(
        select(col(WebhookEndpoint.id), col(WebhookEndpoint.kinds)).where(
            col(WebhookEndpoint.enabled) == True  # noqa: E712
        )
    ).all()
    if not endpoints:
        return
    session.flush()
    deliveries = [
        {
            "endpoint_id": endpoint_id,
            "outbox_id": row.id,
            "customer_id": row.customer_id,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": row.occurred_at,
            "updated_at": row.occurred_at,
        }
        for row in rows
        for endpoint_id, kinds in endpoints
        if not kinds or row.kind in kinds
    ]
    if deliveries:
        session.execute(insert(WebhookDelivery), deliveries)


def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING, None):
        db = session.info.get("c360_db")
        for notify in getattr(db, "events_committed", ()):
            notify()


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
