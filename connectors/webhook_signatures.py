"""The vendors' webhook signature schemes (what senders compute and receivers check).

- SurveyMonkey: `Sm-Signature` = base64(HMAC-SHA1(key = "<client id>&<client secret>",
  message = the raw body)); `Sm-Apikey` carries the client id. No timestamp is signed.
- HubSpot v3: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(key = the app's client secret,
  message = method + URI + raw body + `X-HubSpot-Request-Timestamp`)); the timestamp is in
  milliseconds and requests older than 5 minutes must be refused. The URI is the full URL
  the sender called, with percent-encoded characters decoded.
- Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(key = the webhook's signing
  secret, message = `X-Zendesk-Webhook-Signature-Timestamp` + raw body)); the timestamp is
  ISO 8601.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote

SURVEYMONKEY_SIGNATURE = "Sm-Signature"
SURVEYMONKEY_API_KEY = "Sm-Apikey"
HUBSPOT_SIGNATURE = "X-HubSpot-Signature-v3"
HUBSPOT_TIMESTAMP = "X-HubSpot-Request-Timestamp"
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"


def surveymonkey_signature(body: bytes, *, client_id: str, client_secret: str) -> str:
    """The `Sm-Signature` of a body."""
    key = f"{client_id}&{client_secret}".encode()
    return base64.b64encode(hmac.new(key, body, hashlib.sha1).digest()).decode()


def hubspot_v3_signature(
    *, client_secret: str, method: str, uri: str, body: bytes, timestamp: str
) -> str:
    """The `X-HubSpot-Signature-v3` of a request."""
    message = method.upper().encode() + unquote(uri).encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def zendesk_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Zendesk-Webhook-Signature` of a request."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signatures_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing signature never matches."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
