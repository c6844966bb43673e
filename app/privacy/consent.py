"""Consent: the append-only ledger, and the current state derived from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.lookup import live_customer
from app.errors import InvalidInputError, NotFoundError, SuppressedError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.store.db import Database
from app.store.models import ConsentEvent, Customer
from app.store.repositories import erasures
from app.store.types import utcnow


class ConsentPurpose(StrEnum):
    MARKETING = "marketing"
    PERSONALIZATION = "personalization"
    ANALYTICS = "analytics"
    PROFILING = "profiling"
    THIRD_PARTY_SHARING = "third_party_sharing"


class ConsentChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"
    PUSH = "push"


class ConsentState(StrEnum):
    """A consent's state now; an expired grant is not a grant."""

    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class LawfulBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


def current_state(event: ConsentEvent, now: datetime) -> ConsentState:
    """The state a ledger entry gives now."""
    state = ConsentState(event.status)
    if state is ConsentState.GRANTED and event.expires_at is not None and event.expires_at <= now:
        return ConsentState.EXPIRED
    return state


def holds(latest: Iterable[ConsentEvent], purpose: str, channel: str | None, now: datetime) -> bool:
    """Whether the latest entries grant `purpose` (on `channel`, or on any channel if None)."""
    return any(
        event.purpose == purpose
        and (channel is None or event.channel == channel)
        and current_state(event, now) is ConsentState.GRANTED
        for event in latest
    )


@dataclass(frozen=True, slots=True)
class NewConsent:
    purpose: ConsentPurpose
    channel: ConsentChannel
    status: ConsentState
    lawful_basis: LawfulBasis = LawfulBasis.CONSENT
    source: str = "gateway"
    evidence: str | None = None
    expires_at: datetime | None = None
    captured_at: datetime | None = None


async def _consenting_customer(session: AsyncSession, customer_id: str) -> Customer:
    try:
        return await live_customer(session, customer_id)
    except NotFoundError:
        if await erasures.get_request(session, customer_id=customer_id) is not None:
            raise SuppressedError("this customer was erased: no consent can be recorded") from None
        raise


async def record_consent(db: Database, *, customer_id: str, new: NewConsent) -> ConsentEvent:
    """Append a consent decision to the ledger (never updates an earlier entry).

    An erased customer's id is refused (`SuppressedError`). A live customer's consent is never
    refused for an identifier it shares with an erased person: it holds that identifier (see
    `app.privacy.suppression`), and the erasure queued it for a steward as a look-alike.
    """
    if new.status is ConsentState.EXPIRED:
        raise InvalidInputError("EXPIRED is derived from expiresAt, not recorded", field="status")
    now = utcnow()
    if new.expires_at is not None and new.expires_at <= now:
        raise InvalidInputError("expiresAt must be in the future", field="expiresAt")
    source = new.source.strip()
    if not source or len(source) > 64:
        raise InvalidInputError("source must be 1 to 64 characters", field="source")
    if new.evidence is not None and len(new.evidence) > 1024:
        raise InvalidInputError("evidence is longer than 1024 characters", field="evidence")
    async with db.transaction() as session:
        customer = await _consenting_customer(session, customer_id)
        event = ConsentEvent(
            customer_id=customer.id,
            purpose=new.purpose.value,
            channel=new.channel.value,
            status=new.status.value,
            lawful_basis=new.lawful_basis.value,
            captured_at=new.captured_at or now,
            source=source,
            evidence=new.evidence,
            expires_at=new.expires_at,
        )
        session.add(event)
        customer.updated_at = now
        emit(
            session,
            EventKind.CONSENT_CHANGED,
            [customer.id],
            changed=[f"{event.purpose}:{event.channel}"],
            source=source,
        )
    return event
