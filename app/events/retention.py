"""Pruning the outbox: events older than the retention, once no enabled endpoint is owed them.

Run by every serving process's webhook sender, at its start and then hourly: there is no extra
process or cron job to deploy, and the deletes are idempotent, so workers that prune at the
same time only repeat each other. An event an enabled endpoint has not received (its delivery
is pending, or a dead letter an admin may replay) is kept whatever its age; deliveries to
disabled endpoints hold nothing back. The newest event is always kept: SQLite gives a new row
the highest id + 1, and a dispatcher that already delivered a reused id would skip the new
event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import col

from app.events.webhook_endpoints import DEAD, PENDING
from app.store.db import Database
from app.store.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

_BATCH = 1000  # events per transaction: short locks on a large backlog


async def prune_outbox(db: Database, *, occurred_before: datetime) -> int:
    """Delete the events that occurred before `occurred_before` and that no enabled endpoint
    is still owed, with their deliveries; how many events."""
    owed = (
        select(col(WebhookDelivery.id))
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
        .where(
            col(WebhookDelivery.outbox_id) == col(OutboxEvent.id),
            col(WebhookEndpoint.enabled) == True,  # noqa: E712
            col(WebhookDelivery.state).in_((PENDING, DEAD)),
        )
        .exists()
    )
    newest = select(func.max(col(OutboxEvent.id))).scalar_subquery()
    pruned = 0
    while True:
        async with db.transaction() as session:
            ids = list(
                await session.scalars(
                    select(col(OutboxEvent.id))
                    .where(
                        col(OutboxEvent.occurred_at) < occurred_before,
                        col(OutboxEvent.id) < newest,
                        ~owed,
                    )
                    .order_by(col(OutboxEvent.id))
                    .limit(_BATCH)
                )
            )
            if ids:
                await session.execute(
                    delete(WebhookDelivery).where(WebhookDelivery.outbox_id.in_(ids))  # type: ignore[attr-defined]
                )
                await session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))  # type: ignore[union-attr]
        pruned += len(ids)
        if len(ids) < _BATCH:
            return pruned
