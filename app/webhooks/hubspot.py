"""`/webhooks/<a HubSpot system>`: CRM changes to a contact or a ticket refresh that customer.

HubSpot batches events in one JSON array; each is deduplicated by `eventId`. A `contact.*`
event names the contact (`objectId`): a linked contact's customer gets its cached CRM data
dropped, its metrics recomputed and a `PROFILE_CHANGED` event; an unknown contact is queued for
a steward. A `ticket.*` event (opened, updated, deleted) names only the ticket: its contact is
read from the CRM (v4 associations), and that contact's customer gets the same refresh and a
`TICKET_CHANGED` event; a CRM that does not answer makes the delivery a 503, which HubSpot
retries. Other object types are acknowledged and ignored. Each portal is its own system
(`app/webhooks/systems.py`): its secret, its event ids, its source links, its connector.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from starlette.datastructures import Headers

from app.events.kinds import EventKind
from app.graph import CustomerGraph
from app.metrics.recompute import refresh_customers
from app.settings import Settings
from app.store.db import Database
from app.webhooks.delivery import (
    already_processed,
    commit_event,
    customer_of_source,
    queue_unmatched,
)
from app.webhooks.outcome import EventResult, Outcome, WebhookRefused
from app.webhooks.systems import WebhookSource
from connectors.errors import ConnectorError
from connectors.hubspot.connector import HubSpotConnector
from connectors.webhook_signatures import (
    HUBSPOT_SIGNATURE,
    HUBSPOT_TIMESTAMP,
    hubspot_v3_signature,
    signatures_match,
)

MAX_EVENTS = 1000


def verify(
    source: WebhookSource,
    settings: Settings,
    *,
    method: str,
    uri: str,
    body: bytes,
    headers: Headers,
    now_ms: float | None = None,
) -> None:
    """Refuse (401) a bad or stale v3 signature; 404 when not configured."""
    secret = source.secret
    if secret is None:
        raise WebhookRefused(404, "the HubSpot webhook is not configured")
    timestamp = headers.get(HUBSPOT_TIMESTAMP, "")
    if not timestamp.isdigit():
        raise WebhookRefused(401, "missing request timestamp")
    now_ms = time.time() * 1000 if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > settings.webhook_max_age_seconds * 1000:
        raise WebhookRefused(401, "stale request timestamp")
    expected = hubspot_v3_signature(
        client_secret=secret.get_secret_value(),
        method=method,
        uri=uri,
        body=body,
        timestamp=timestamp,
    )
    if not signatures_match(expected, headers.get(HUBSPOT_SIGNATURE)):
        raise WebhookRefused(401, "bad signature")


def parse(body: bytes) -> list[dict[str, Any]]:
    """The events of a delivery, or 400."""
    try:
        events = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRefused(400, "not JSON") from None
    if not isinstance(events, list) or not 0 < len(events) <= MAX_EVENTS:
        raise WebhookRefused(400, "expected a JSON array of events")
    for event in events:
        if (
            not isinstance(event, dict)
            or not isinstance(event.get("eventId"), int | str)
            or not isinstance(event.get("subscriptionType"), str)
            or not isinstance(event.get("objectId"), int | str)
        ):
            raise WebhookRefused(400, "an event lacks eventId, subscriptionType or objectId")
    return events


async def _ticket_contact(graph: CustomerGraph, system: str, ticket_id: str) -> str | None:
    """The (first) contact of a ticket, read from the CRM; 503 if it cannot be read."""
    connector = graph.connectors.get(system)
    if not isinstance(connector, HubSpotConnector):
        raise WebhookRefused(503, "no HubSpot connector to read the ticket's contact")
    try:
        contacts = await connector.contacts_of_tickets([ticket_id])
    except ConnectorError:
        raise WebhookRefused(503, "the CRM did not answer; retry") from None
    found = contacts.get(ticket_id) or []
    return found[0] if found else None


def _change_of(event: dict[str, Any]) -> list[str]:
    """What changed, by name, never by value: the property, or the event's verb."""
    if event.get("propertyName"):
        return [str(event["propertyName"])]
    verb = event["subscriptionType"].partition(".")[2]
    return [verb] if verb in ("creation", "deletion") else []


async def _one(
    db: Database, graph: CustomerGraph, system: str, event: dict[str, Any], refresh: list[str]
) -> EventResult:
    event_id = str(event["eventId"])
    if await already_processed(db, system=system, event_id=event_id):
        return EventResult.DUPLICATE
    object_type = event["subscriptionType"].partition(".")[0]
    if object_type not in ("contact", "ticket"):
        stored = await commit_event(db, system=system, event_id=event_id, customer_id=None)
        return EventResult.IGNORED if stored else EventResult.DUPLICATE
    if object_type == "ticket":
        contact_id = await _ticket_contact(graph, system, str(event["objectId"]))
        kind = EventKind.TICKET_CHANGED
    else:
        contact_id, kind = str(event["objectId"]), EventKind.PROFILE_CHANGED
    customer_id = (
        await customer_of_source(db, system=system, external_id=contact_id)
        if contact_id is not None
        else None
    )
    if customer_id is None and object_type == "ticket":
        # A ticket of no contact we know: nothing to tell anyone, nobody to queue.
        stored = await commit_event(db, system=system, event_id=event_id, customer_id=None)
        return EventResult.IGNORED if stored else EventResult.DUPLICATE
    if customer_id is None:
        details = {
            key: event.get(key)
            for key in ("subscriptionType", "propertyName", "occurredAt", "changeSource")
            if event.get(key) is not None
        }
        return await queue_unmatched(
            db,
            system=system,
            event_id=event_id,
            external_id=str(contact_id),
            email=None,
            details=details,
        )
    if not await commit_event(
        db,
        system=system,
        event_id=event_id,
        customer_id=customer_id,
        change=(kind, _change_of(event)),
    ):
        return EventResult.DUPLICATE
    refresh.append(customer_id)
    return EventResult.RECORDED


async def handle(
    db: Database,
    graph: CustomerGraph,
    settings: Settings,
    source: WebhookSource,
    *,
    method: str,
    uri: str,
    body: bytes,
    headers: Headers,
) -> Outcome:
    """Verify, then handle each event of one HubSpot delivery."""
    verify(source, settings, method=method, uri=uri, body=body, headers=headers)
    refresh: list[str] = []
    outcome = Outcome(
        [await _one(db, graph, source.system, event, refresh) for event in parse(body)]
    )
    if refresh:
        await refresh_customers(db, graph, settings, refresh)
    return outcome
