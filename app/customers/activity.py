"""Recording what happens to a customer: interactions, metric observations, source identities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app.customers.change_log import identity_linked, record_changes
from app.customers.lookup import live_customer
from app.errors import ConflictError, InvalidInputError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.identity.survivorship import GATEWAY
from app.privacy.suppression import Identifiers, refuse_suppressed
from app.settings import Settings
from app.store.db import Database
from app.store.models import Interaction, LinkMethod, MetricObservation, SourceLink
from app.store.repositories import source_links as link_repo
from app.store.repositories.metric_current import upsert_current
from app.store.types import utcnow

MAX_DETAILS_BYTES = 16_000


@dataclass(frozen=True, slots=True)
class NewInteraction:
    channel: str
    kind: str
    summary: str
    occurred_at: datetime | None = None
    source: str = "gateway"
    details: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class NewMetric:
    name: str
    value: float
    observed_at: datetime | None = None
    source: str = "gateway"
    method: str | None = None
    details: dict[str, Any] | None = None


def _check_text(name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInputError(f"{name} must not be empty", field=name)
    if len(value) > limit:
        raise InvalidInputError(f"{name} is longer than {limit} characters", field=name)
    return value


def _check_details(details: dict[str, Any] | None) -> None:
    if details is not None and len(orjson.dumps(details)) > MAX_DETAILS_BYTES:
        raise InvalidInputError(f"details is larger than {MAX_DETAILS_BYTES} bytes")


def _check_time(value: datetime | None, field: str) -> datetime:
    if value is None:
        return utcnow()
    if value.tzinfo is None:
        raise InvalidInputError(f"{field} needs a time zone", field=field)
    return value


async def record_interaction(db: Database, *, customer_id: str, new: NewInteraction) -> Interaction:
    """Append a locally recorded interaction to the customer's timeline."""
    row = Interaction(
        customer_id="",
        channel=_check_text("channel", new.channel, 32).lower(),
        kind=_check_text("kind", new.kind, 32).lower(),
        summary=_check_text("summary", new.summary, 2000),
        occurred_at=_check_time(new.occurred_at, "occurredAt"),
        source=_check_text("source", new.source, 64),
        details=new.details,
    )
    _check_details(new.details)
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        row.customer_id = customer.id
        session.add(row)
        emit(
            session,
            EventKind.INTERACTION_RECORDED,
            [customer.id],
            changed=["interactions"],
            source=row.source,
        )
    return row


async def record_metric(db: Database, *, customer_id: str, new: NewMetric) -> MetricObservation:
    """Append one observation to a metric's history; it becomes the current value if newest."""
    if new.value != new.value or new.value in (float("inf"), float("-inf")):
        raise InvalidInputError("value must be a finite number", field="value")
    _check_details(new.details)
    row = MetricObservation(
        customer_id="",
        name=_check_text("name", new.name, 64).lower(),
        value=new.value,
        observed_at=_check_time(new.observed_at, "observedAt"),
        source=_check_text("source", new.source, 64),
        method=new.method,
        details=new.details,
    )
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        row.customer_id = customer.id
        session.add(row)
        await upsert_current(session, [row.model_dump()])
        emit(
            session, EventKind.METRIC_CHANGED, [customer.id], changed=[row.name], source=row.source
        )
    return row


async def link_source_identity(
    db: Database,
    *,
    customer_id: str,
    system: str,
    external_id: str,
    method: LinkMethod = LinkMethod.MANUAL,
    score: float | None = None,
    settings: Settings | None = None,
) -> SourceLink:
    """Link (system, external id) to the customer; idempotent, CONFLICT if linked elsewhere.

    With `settings`, an identity of an erased person is refused (`SuppressedError`) unless
    the customer already holds it.
    """
    system = _check_text("system", system, 64).lower()
    external_id = _check_text("externalId", external_id, 256)
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        if settings is not None:
            await refuse_suppressed(
                session,
                settings,
                Identifiers(source_ids=[(system, external_id)]),
                holder=customer.id,
            )
        existing = await link_repo.get_link(session, system=system, external_id=external_id)
        if existing is not None:
            if existing.customer_id != customer.id:
                raise ConflictError(
                    "this source identity is already linked to another customer",
                    system=system,
                )
            return existing
        link = SourceLink(
            customer_id=customer.id,
            system=system,
            external_id=external_id,
            method=method,
            score=score,
        )
        session.add(link)
        customer.updated_at = utcnow()
        await record_changes(session, [identity_linked(link, source=GATEWAY)])
        emit(session, EventKind.PROFILE_CHANGED, [customer.id], changed=["identities"])
    return link
