"""Sending queued webhook deliveries: signed, in order per customer, retried, then dead.

Runs in every serving process (`WebhookSender`, started in the app lifespan): the queue is in
the store (`webhook_delivery`, written with each event), so any process may send, a restart
resumes where the last one stopped, and a delivery is claimed with a lease (an UPDATE that
only one process can win) so two processes never send it at once. A delivery is sent only
when it is the oldest pending one of its customer for its endpoint: a receiver sees a
customer's events in commit order. A failure (no answer, or not 2xx) is retried with
exponential backoff until `retry_window_seconds` after the first attempt, then kept as a dead
letter an admin can replay. A crash after a send but before its outcome is stored sends it
again: receivers deduplicate by `webhook-id` (the event id), as Standard Webhooks expects.
The sender also prunes the outbox, at its start and then hourly (`app/events/retention.py`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import structlog
from sqlalchemy import or_, select, update
from sqlmodel import col
from standardwebhooks import Webhook

from app.events.kinds import CONSENT_FREE_KINDS
from app.events.retention import prune_outbox
from app.events.webhook_endpoints import DEAD, PENDING
from app.privacy import policy
from app.privacy.consent import holds
from app.privacy.principals import parse_purpose
from app.store.db import Database
from app.store.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.store.repositories import timelines
from app.store.types import utcnow
from connectors.http import WebhookClient

log = structlog.get_logger("c360.webhooks.outbound")

DELIVERED = "delivered"
WITHHELD = "withheld"  # the endpoint's purpose needs a consent the customer has not granted
_SCAN = 1000
PRUNE_EVERY_SECONDS = 3600.0
# A stop lets the round in progress finish for this long before cancelling it: a task
# cancelled inside a database transaction could leave the app's shutdown waiting on it.
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff from `first_delay`, at most `max_delay`, for `window` in all."""

    first_delay: float = 1.0
    max_delay: float = 600.0
    window: float = 86_400.0

    def delay(self, attempts: int) -> float:
        return min(self.max_delay, self.first_delay * 2.0 ** max(0, attempts - 1))


def customer_global_id(customer_id: str) -> str:
    """The customer's id as the GraphQL API hands it out (Relay global id)."""
    return base64.b64encode(f"Customer:{customer_id}".encode()).decode()


def payload(event: OutboxEvent) -> bytes:
    """The delivery body, shaped as Standard Webhooks suggests: type, timestamp, data."""
    return orjson.dumps(
        {
            "type": f"customer.{event.kind}",
            "timestamp": event.occurred_at.isoformat(),
            "data": {
                "eventId": event.event_id,
                "customerId": customer_global_id(event.customer_id),
                "changed": event.changed,
                "source": event.source,
            },
        }
    )


def signed_headers(endpoint: WebhookEndpoint, event: OutboxEvent, body: bytes) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` (now) and `webhook-signature` for this body."""
    now = utcnow()
    signature = Webhook(endpoint.secret).sign(event.event_id, now, body.decode())
    return {
        "webhook-id": event.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


class WebhookSender:
    """Sends what is due, woken by this process's commits and every `poll_seconds`."""

    def __init__(
        self,
        db: Database,
        client: WebhookClient,
        *,
        retry: RetryPolicy,
        poll_seconds: float = 1.0,
        lease_seconds: float = 60.0,
        concurrency: int = 16,
        retention: timedelta | None = None,
        first_prune_after: float = 60.0,
    ) -> None:
        self.db = db
        self.client = client
        self.retry = retry
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Deliveries this process has claimed (or is claiming) and not finished, with the
        # lease it wrote: a stop frees only its own lease, never one another process won.
        self._held: dict[int, datetime] = {}
        self.retention = retention  # outbox events older than it are pruned; None: kept
        # The first pruning waits `first_prune_after` seconds, then hourly: a short-lived
        # process (a test, a restart loop) is not stopped in the middle of a delete.
        self._next_prune = time.monotonic() + first_prune_after

    async def start(self) -> None:
        self.db.events_committed.append(self._wake.set)
        self._task = asyncio.create_task(self._run(), name="c360-webhook-sender")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.db.events_committed.remove(self._wake.set)
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({self._task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self._release_held()
        await self.client.aclose()

    async def _release_held(self) -> None:
        """On a clean stop, free the claims of interrupted attempts at once (after a crash
        they expire with their lease)."""
        if not self._held:
            return
        try:
            async with self.db.transaction() as session:
                for delivery_id, lease_until in self._held.items():
                    await session.execute(
                        update(WebhookDelivery)
                        .where(
                            col(WebhookDelivery.id) == delivery_id,
                            col(WebhookDelivery.lease_until) == lease_until,
                        )
                        .values(lease_until=None)
                    )
        except Exception as error:
            log.warning("webhook claims not released", error=type(error).__name__)
        self._held.clear()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            await self._prune_when_due()
            try:
                while not self._stopping and await self.send_due():
                    pass
            except Exception as error:
                log.warning("webhook sending failed", error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def _prune_when_due(self) -> None:
        if self.retention is None or time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        try:
            pruned = await prune_outbox(self.db, occurred_before=utcnow() - self.retention)
        except Exception as error:
            # E.g. the database is down: the next hour tries again.
            log.warning("outbox pruning failed", error=type(error).__name__)
            return
        if pruned:
            log.info("outbox pruned", events=pruned)

    async def send_due(self) -> int:
        """Send every delivery that is due now (the head of its customer's queue); how many
        were attempted."""
        now = utcnow()
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(WebhookDelivery, OutboxEvent, WebhookEndpoint)
                    .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.outbox_id))
                    .join(
                        WebhookEndpoint,
                        col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id),
                    )
                    .where(
                        col(WebhookDelivery.state) == PENDING,
                        col(WebhookEndpoint.enabled) == True,  # noqa: E712
                    )
                    .order_by(col(WebhookDelivery.outbox_id))
                    .limit(_SCAN)
                )
            ).all()
        heads: dict[tuple[str, str], tuple[WebhookDelivery, OutboxEvent, WebhookEndpoint]] = {}
        for delivery, event, endpoint in rows:
            heads.setdefault(
                (delivery.endpoint_id, delivery.customer_id), (delivery, event, endpoint)
            )
        due = [
            head
            for head in heads.values()
            if head[0].next_attempt_at <= now
            and (head[0].lease_until is None or head[0].lease_until <= now)
        ]
        outcomes = await asyncio.gather(*(self._attempt(*h) for h in due), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                # Its lease expires, then it is tried again.
                log.warning("webhook attempt failed", error=type(outcome).__name__)
        return len(due)

    async def _claim(self, delivery: WebhookDelivery, now: datetime) -> bool:
        assert delivery.id is not None
        lease_until = now + self.lease
        # Held before the UPDATE commits: a stop that interrupts the commit (which then
        # completes) must still free the claim, or the delivery waits out the whole lease.
        self._held[delivery.id] = lease_until
        async with self.db.transaction() as session:
            claimed = await session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == delivery.id,
                    col(WebhookDelivery.state) == PENDING,
                    or_(
                        col(WebhookDelivery.lease_until).is_(None),
                        col(WebhookDelivery.lease_until) <= now,
                    ),
                )
                .values(lease_until=lease_until)
            )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            del self._held[delivery.id]
            return False
        return True

    async def _attempt(
        self, delivery: WebhookDelivery, event: OutboxEvent, endpoint: WebhookEndpoint
    ) -> None:
        now = utcnow()
        if not await self._claim(delivery, now):
            return
        # Interrupted (cancelled at a stop, or failed), the claim stays held for `stop`.
        await self._send(delivery, event, endpoint, now)
        assert delivery.id is not None
        self._held.pop(delivery.id, None)

    async def _send(
        self,
        delivery: WebhookDelivery,
        event: OutboxEvent,
        endpoint: WebhookEndpoint,
        now: datetime,
    ) -> None:
        if not await self._consented(endpoint, event):
            await self._finish(delivery, state=WITHHELD, error=None, now=now)
            return
        body = payload(event)
        async with self._slots:
            status = await self.client.post(
                endpoint.url, body, signed_headers(endpoint, event, body)
            )
        now = utcnow()
        if status is not None and 200 <= status < 300:
            await self._finish(delivery, state=DELIVERED, error=None, now=now)
            return
        error = "no answer" if status is None else f"HTTP {status}"
        first = delivery.first_attempt_at or now
        attempts = delivery.attempts + 1
        if (now - first).total_seconds() >= self.retry.window:
            log.warning("webhook delivery dead", endpoint=endpoint.id, error=error)
            await self._finish(delivery, state=DEAD, error=error, now=now, attempts=attempts)
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == delivery.id)
                .values(
                    attempts=attempts,
                    first_attempt_at=first,
                    next_attempt_at=now + timedelta(seconds=self.retry.delay(attempts)),
                    lease_until=None,
                    last_error=error,
                    updated_at=now,
                )
            )

    async def _finish(
        self,
        delivery: WebhookDelivery,
        *,
        state: str,
        error: str | None,
        now: datetime,
        attempts: int | None = None,
    ) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == delivery.id)
                .values(
                    state=state,
                    attempts=delivery.attempts + (state != WITHHELD)
                    if attempts is None
                    else attempts,
                    first_attempt_at=delivery.first_attempt_at or now,
                    lease_until=None,
                    last_error=error,
                    updated_at=now,
                )
            )

    async def _consented(self, endpoint: WebhookEndpoint, event: OutboxEvent) -> bool:
        purpose = policy.CONSENT_GATED_PURPOSES.get(parse_purpose(endpoint.purpose))
        if purpose is None or event.kind in CONSENT_FREE_KINDS:
            return True
        async with self.db.session() as session:
            latest = await timelines.current_consents_by_customer(
                session, customer_ids=[event.customer_id]
            )
        return holds(latest.get(event.customer_id, []), purpose.value, None, utcnow())
