"""Webhooks the simulators send, signed as the vendors sign them.

A simulator configured with a `WebhookTarget` (`c360 sim ... ` with `C360_SIM_WEBHOOK_URL`,
or `app.state.webhook` in tests) posts the vendor's event to the gateway when something
happens in it (SurveyMonkey: a response is completed through `POST /sim/responses`;
HubSpot: a contact or ticket property changes through `POST /sim/{contacts|tickets}/{id}/changes`;
Zendesk: a ticket is created or updated through `POST /api/v2/tickets` or
`PUT /api/v2/tickets/{id}`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import structlog

from connectors.webhook_signatures import (
    HUBSPOT_SIGNATURE,
    HUBSPOT_TIMESTAMP,
    SURVEYMONKEY_API_KEY,
    SURVEYMONKEY_SIGNATURE,
    ZENDESK_SIGNATURE,
    ZENDESK_TIMESTAMP,
    hubspot_v3_signature,
    surveymonkey_signature,
    zendesk_signature,
)
from simulators.activity import ResponseSpec

log = structlog.get_logger("c360.simulators")
_event_ids = itertools.count(1)


async def _post(
    url: str, body: bytes, headers: dict[str, str], transport: httpx.AsyncBaseTransport | None
) -> int | None:
    """POST a signed delivery; the gateway's status, or None if it could not be reached."""
    # The simulator stands in for the vendor's own servers: its client is theirs, not one of
    # the gateway's source clients.
    async with httpx.AsyncClient(transport=transport, timeout=10.0) as client:
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("webhook not delivered", error=type(exc).__name__)
            return None
    return response.status_code


@dataclass
class WebhookTarget:
    """Where and with which app credentials a simulator signs and sends its webhooks."""

    url: str
    client_id: str
    client_secret: str
    transport: httpx.AsyncBaseTransport | None = None

    def response_completed(self, spec: ResponseSpec) -> dict[str, Any]:
        """SurveyMonkey's `response_completed` event for a response."""
        return {
            "name": "c360 gateway",
            "filter_type": "survey",
            "filter_id": spec.survey_id,
            "event_type": "response_completed",
            "event_id": str(500_000_000 + next(_event_ids)),
            "object_type": "response",
            "object_id": str(spec.response_id),
            "event_datetime": spec.created_at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "resources": {
                "respondent_id": str(spec.response_id),
                "recipient_id": spec.contact_id or "0",
                "user_id": "100000001",
                "collector_id": spec.collector_id,
                "survey_id": spec.survey_id,
            },
        }

    async def send_response_completed(self, spec: ResponseSpec) -> int | None:
        """POST the signed event; the gateway's status, or None if it could not be reached."""
        body = orjson.dumps(self.response_completed(spec))
        headers = {
            "content-type": "application/json",
            SURVEYMONKEY_API_KEY: self.client_id,
            SURVEYMONKEY_SIGNATURE: surveymonkey_signature(
                body, client_id=self.client_id, client_secret=self.client_secret
            ),
        }
        url = f"{self.url.rstrip('/')}/webhooks/surveymonkey"
        return await _post(url, body, headers, self.transport)


@dataclass
class HubSpotWebhookTarget:
    """Where and with which app secret the HubSpot simulator signs (v3) and sends events
    (`/webhooks/<system>`: the gateway's name for the portal)."""

    url: str
    client_secret: str
    transport: httpx.AsyncBaseTransport | None = None
    system: str = "hubspot"

    async def send_property_change(
        self, object_type: str, object_id: str, prop: str, value: str
    ) -> int | None:
        """POST one signed `<object_type>.propertyChange` event (`contact`, `ticket`); the
        gateway's status or None."""
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        event = {
            "eventId": 700_000_000 + next(_event_ids),
            "subscriptionId": 1,
            "portalId": 62515,
            "appId": 54321,
            "occurredAt": now_ms,
            "subscriptionType": f"{object_type}.propertyChange",
            "attemptNumber": 0,
            "objectId": int(object_id),
            "propertyName": prop,
            "propertyValue": value,
            "changeSource": "CRM",
        }
        body = orjson.dumps([event])
        uri = f"{self.url.rstrip('/')}/webhooks/{self.system}"
        timestamp = str(now_ms)
        headers = {
            "content-type": "application/json",
            HUBSPOT_TIMESTAMP: timestamp,
            HUBSPOT_SIGNATURE: hubspot_v3_signature(
                client_secret=self.client_secret,
                method="POST",
                uri=uri,
                body=body,
                timestamp=timestamp,
            ),
        }
        return await _post(uri, body, headers, self.transport)


@dataclass
class ZendeskWebhookTarget:
    """Where and with which signing secret the Zendesk simulator sends its ticket events
    (`/webhooks/<system>`: the gateway's name for the desk)."""

    url: str
    secret: str
    transport: httpx.AsyncBaseTransport | None = None
    system: str = "zendesk"

    async def send(self, event: dict[str, Any]) -> int | None:
        """POST one signed Zendesk event (`zen:event-type:...`); the gateway's status or None."""
        body = orjson.dumps(event)
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "content-type": "application/json",
            ZENDESK_TIMESTAMP: timestamp,
            ZENDESK_SIGNATURE: zendesk_signature(
                secret=self.secret, timestamp=timestamp, body=body
            ),
        }
        url = f"{self.url.rstrip('/')}/webhooks/{self.system}"
        return await _post(url, body, headers, self.transport)
