"""`/webhooks/<a Zendesk system>`: a support-desk ticket created or changed reaches its customer.

Zendesk's ticket event webhooks (`zen:event-type:ticket.*`) send one event per request, with
the ticket's `requester_id` in `detail`: the requester's customer (through the source link of
the system whose URL received it, `app/webhooks/systems.py`) gets its cached support-desk data
dropped, its metrics recomputed and a `TICKET_CHANGED` event naming what changed (the event
type, e.g. `status_changed`, never a value). Each event is deduplicated by its `id`; a
requester no customer is linked to is acknowledged and ignored; other event types too.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import orjson
from starlette.datastructures import Headers

from app.events.kinds import EventKind
from app.graph import CustomerGraph
from app.metrics.recompute import refresh_customers
from app.settings import Settings
from app.store.db import Database
from app.webhooks.delivery import already_processed, commit_event, customer_of_source
from app.webhooks.outcome import EventResult, Outcome, WebhookRefused
from app.webhooks.systems import WebhookSource
from connectors.webhook_signatures import (
    ZENDESK_SIGNATURE,
    ZENDESK_TIMESTAMP,
    signatures_match,
    zendesk_signature,
)

TICKET_EVENT = "zen:event-type:ticket."


def verify(
    source: WebhookSource,
    settings: Settings,
    *,
    body: bytes,
    headers: Headers,
    now: float | None = None,
) -> None:
    """Refuse (401) a bad or stale signature; 404 when not configured."""
    secret = source.secret
    if secret is None:
        raise WebhookRefused(404, "the Zendesk webhook is not configured")
    timestamp = headers.get(ZENDESK_TIMESTAMP, "")
    try:
        signed_at = datetime.fromisoformat(timestamp).timestamp()
    except ValueError:
        raise WebhookRefused(401, "missing request timestamp") from None
    now = time.time() if now is None else now
    if abs(now - signed_at) > settings.webhook_max_age_seconds:
        raise WebhookRefused(401, "stale request timestamp")
    expected = zendesk_signature(secret=secret.get_secret_value(), timestamp=timestamp, body=body)
    if not signatures_match(expected, headers.get(ZENDESK_SIGNATURE)):
        raise WebhookRefused(401, "bad signature")


def parse(body: bytes) -> dict[str, Any]:
    """The event of a request, or 400."""
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRefused(400, "not JSON") from None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("detail"), dict)
    ):
        raise WebhookRefused(400, "an event needs an id, a type and a detail object")
    return event


async def handle(
    db: Database,
    graph: CustomerGraph,
    settings: Settings,
    source: WebhookSource,
    *,
    body: bytes,
    headers: Headers,
) -> Outcome:
    """Verify, then record one Zendesk event."""
    verify(source, settings, body=body, headers=headers)
    system = source.system
    event = parse(body)
    event_id = str(event["id"])
    if await already_processed(db, system=system, event_id=event_id):
        return Outcome([EventResult.DUPLICATE])
    requester = event["detail"].get("requester_id")
    customer_id = None
    if event["type"].startswith(TICKET_EVENT) and requester is not None:
        customer_id = await customer_of_source(db, system=system, external_id=str(requester))
    if customer_id is None:
        stored = await commit_event(db, system=system, event_id=event_id, customer_id=None)
        return Outcome([EventResult.IGNORED if stored else EventResult.DUPLICATE])
    changed = [event["type"].removeprefix(TICKET_EVENT)]
    if not await commit_event(
        db,
        system=system,
        event_id=event_id,
        customer_id=customer_id,
        change=(EventKind.TICKET_CHANGED, changed),
    ):
        return Outcome([EventResult.DUPLICATE])
    await refresh_customers(db, graph, settings, [customer_id])
    return Outcome([EventResult.RECORDED])
