"""Outbound webhook endpoints and their dead letters: what an admin registers and manages.

An endpoint receives the events of the kinds it names (all when none) committed after it was
registered, signed with its own secret the way Standard Webhooks describes (`whsec_...`,
shown only when created or rotated). Its `purpose` decides consent: an endpoint registered
for a purpose that needs consent receives nothing about a customer who has not granted it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlmodel import col

from app.errors import InvalidInputError, NotFoundError
from app.events.kinds import EventKind
from app.privacy.principals import Purpose, parse_purpose
from app.store.db import Database
from app.store.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.store.types import utcnow

DEAD = "dead"
PENDING = "pending"


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked_url(url: str, *, production: bool) -> str:
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname or len(url) > 2048:
        schemes = " or ".join(allowed)
        raise InvalidInputError(f"url must be an absolute {schemes} URL", argument="url")
    return url


def _checked_kinds(kinds: Sequence[str]) -> list[str]:
    try:
        return sorted({EventKind(kind).value for kind in kinds})
    except ValueError:
        raise InvalidInputError("unknown event kind", argument="kinds") from None


async def create_endpoint(
    db: Database, *, url: str, kinds: Sequence[str], purpose: str, production: bool
) -> WebhookEndpoint:
    """Register an endpoint (its secret is in the returned row, and only there)."""
    try:
        checked_purpose: Purpose = parse_purpose(purpose)
    except ValueError:
        raise InvalidInputError("unknown purpose", argument="purpose") from None
    endpoint = WebhookEndpoint(
        url=_checked_url(url, production=production),
        kinds=_checked_kinds(kinds),
        purpose=checked_purpose.value,
        secret=new_secret(),
    )
    async with db.transaction() as session:
        session.add(endpoint)
    return endpoint


async def list_endpoints(db: Database) -> list[WebhookEndpoint]:
    async with db.session() as session:
        rows = await session.scalars(
            select(WebhookEndpoint).order_by(col(WebhookEndpoint.created_at))
        )
        return list(rows)


async def _endpoint(db: Database, endpoint_id: str, **values: object) -> WebhookEndpoint:
    async with db.transaction() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFoundError("webhook endpoint not found")
        for name, value in values.items():
            setattr(endpoint, name, value)
    return endpoint


async def disable_endpoint(db: Database, endpoint_id: str) -> WebhookEndpoint:
    """Stop sending to the endpoint (deliveries already queued stay, unsent)."""
    return await _endpoint(db, endpoint_id, enabled=False)


async def rotate_secret(db: Database, endpoint_id: str) -> WebhookEndpoint:
    """Give the endpoint a new secret, used from its next delivery."""
    return await _endpoint(db, endpoint_id, secret=new_secret())


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A delivery that was given up on: which endpoint, which event, why."""

    delivery: WebhookDelivery
    event: OutboxEvent


async def dead_letters(db: Database, *, first: int) -> list[DeadLetter]:
    """The newest dead letters first."""
    async with db.session() as session:
        rows = await session.execute(
            select(WebhookDelivery, OutboxEvent)
            .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.outbox_id))
            .where(col(WebhookDelivery.state) == DEAD)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(first)
        )
        return [DeadLetter(delivery, event) for delivery, event in rows]


async def replay_dead_letter(db: Database, delivery_id: int) -> WebhookDelivery:
    """Queue a dead letter again, as if new (attempts and the retry window start over)."""
    now = utcnow()
    async with db.transaction() as session:
        replayed = await session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery_id, col(WebhookDelivery.state) == DEAD)
            .values(
                state=PENDING,
                attempts=0,
                first_attempt_at=None,
                next_attempt_at=now,
                lease_until=None,
                last_error=None,
                updated_at=now,
            )
        )
        if replayed.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError("dead letter not found")
        row = await session.get(WebhookDelivery, delivery_id)
        assert row is not None
        await session.refresh(row)
    return row
