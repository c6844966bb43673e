"""Where each customer came from: acquisition records set by a person (mutation, import) or by
a source system, with provenance like every golden field.

Rules (`field_provenance.rule` of the three acquisition fields):
- `direct_edit` (setAcquisition) and `import` (`c360 import` mapped columns) always replace;
- `earliest_source` (a source system's original source or first order) sets a record only
  where none was set by a person, and only an earlier acquisition replaces another source's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.business.spend import campaign_key, channel_key
from app.customers.change_log import ACQUISITION_FIELDS, Change, ChangeAction, record_changes
from app.customers.lookup import live_customer
from app.errors import InvalidInputError
from app.store.db import Database
from app.store.models import Acquisition, FieldProvenance, SourceLink
from app.store.repositories.acquisitions import AcquisitionFacts, write_acquisitions
from app.store.types import utcnow

FIELDS = ACQUISITION_FIELDS
RULE_DIRECT_EDIT = "direct_edit"
RULE_IMPORT = "import"
RULE_EARLIEST_SOURCE = "earliest_source"
_PERSON_RULES = frozenset({RULE_DIRECT_EDIT, RULE_IMPORT})
# Clocks differ: an acquisition up to a day ahead of ours is taken, later ones are refused.
_FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class NewAcquisition:
    """An acquisition as given by a person or a system."""

    customer_id: str
    acquired_at: datetime
    system: str
    channel: str | None = None
    campaign: str | None = None


def checked(new: NewAcquisition) -> AcquisitionFacts:
    """The record to store, normalized; `InvalidInputError` when it cannot be taken."""
    if new.acquired_at.tzinfo is None:
        raise InvalidInputError("acquiredAt needs a time zone", argument="acquiredAt")
    if new.acquired_at > utcnow() + _FUTURE_SLACK:
        raise InvalidInputError("acquiredAt is in the future", argument="acquiredAt")
    system = new.system.strip().lower()
    if not system or len(system) > 64:
        raise InvalidInputError("source must be 1-64 characters", argument="source")
    channel, campaign = channel_key(new.channel), campaign_key(new.campaign)
    if channel is not None and len(channel) > 64:
        raise InvalidInputError("channel is longer than 64 characters", argument="channel")
    if campaign is not None and len(campaign) > 128:
        raise InvalidInputError("campaign is longer than 128 characters", argument="campaign")
    return AcquisitionFacts(new.customer_id, new.acquired_at, channel, campaign, system)


async def _provenance_rules(session: AsyncSession, customer_ids: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(
        select(col(FieldProvenance.customer_id), col(FieldProvenance.rule)).where(
            col(FieldProvenance.customer_id).in_(customer_ids),
            col(FieldProvenance.field) == FIELDS[0],
        )
    )
    return {row[0]: row[1] for row in rows.all()}


async def write_with_provenance(
    session: AsyncSession, records: Sequence[AcquisitionFacts], *, rule: str
) -> list[AcquisitionFacts]:
    """Within a transaction: store the records this rule may set, with their provenance;
    returns those stored."""
    ids = [record.customer_id for record in records]
    stored = await session.execute(
        select(
            col(Acquisition.customer_id),
            col(Acquisition.acquired_at),
            col(Acquisition.channel),
            col(Acquisition.campaign),
        ).where(col(Acquisition.customer_id).in_(ids))
    )
    # customer id -> (acquired_at, channel, campaign) as stored
    held: dict[str, tuple[Any, ...]] = {
        customer_id: (acquired_at, channel, campaign)
        for customer_id, acquired_at, channel, campaign in stored.all()
    }
    if rule == RULE_EARLIEST_SOURCE and records:
        rules = await _provenance_rules(session, ids)
        records = [
            record
            for record in records
            if rules.get(record.customer_id) not in _PERSON_RULES
            and (record.customer_id not in held or record.acquired_at < held[record.customer_id][0])
        ]
    if not records:
        return []
    now = utcnow()
    await write_acquisitions(session, records, at=now)
    await record_changes(session, _history(records, held, rule=rule))
    ids = [record.customer_id for record in records]
    await session.execute(
        delete(FieldProvenance).where(
            col(FieldProvenance.customer_id).in_(ids),
            col(FieldProvenance.field).in_(FIELDS),
        )
    )
    session.add_all(
        FieldProvenance(
            customer_id=record.customer_id,
            field=name,
            system=record.system,
            rule=rule,
            recorded_at=now,
        )
        for record in records
        for name in FIELDS
    )
    await session.flush()
    return list(records)


def _history(
    records: Sequence[AcquisitionFacts], held: dict[str, tuple[Any, ...]], *, rule: str
) -> list[Change]:
    """A SET entry per acquisition field a record changes (the change log, like any golden
    field's)."""
    empty = (None,) * len(FIELDS)
    return [
        Change(
            record.customer_id, field, ChangeAction.SET, old, new, source=record.system, rule=rule
        )
        for record in records
        for field, old, new in zip(
            FIELDS,
            held.get(record.customer_id, empty),
            (record.acquired_at, record.channel, record.campaign),
            strict=True,
        )
        if old != new
    ]


async def set_acquisition(db: Database, new: NewAcquisition) -> Acquisition:
    """Set (replace) a live customer's acquisition record by hand (`NotFoundError` when the
    customer does not exist; a merged id sets its survivor's)."""
    facts = checked(new)
    async with db.transaction() as session:
        customer = await live_customer(session, new.customer_id)
        facts = AcquisitionFacts(
            customer.id, facts.acquired_at, facts.channel, facts.campaign, facts.system
        )
        await write_with_provenance(session, [facts], rule=RULE_DIRECT_EDIT)
        row = await session.get(Acquisition, customer.id, populate_existing=True)
    assert row is not None  # written in this transaction
    return row


@dataclass(frozen=True, slots=True)
class ExternalAcquisition:
    """An acquisition as a source system or a file gives it: by the person's id there."""

    record_id: str
    acquired_at: datetime
    channel: str | None
    campaign: str | None


async def store_by_source_id(
    db: Database, rows: Sequence[ExternalAcquisition], *, system: str, rule: str
) -> int:
    """Set the acquisition of the customer each row's (system, id) is linked to, by `rule`
    (rows of unlinked identities, e.g. sent to review, are skipped); returns how many."""
    if not rows:
        return 0
    async with db.transaction() as session:
        linked: dict[str, str] = {}
        ids = sorted({row.record_id for row in rows})
        for start in range(0, len(ids), 500):
            result = await session.execute(
                select(col(SourceLink.external_id), col(SourceLink.customer_id)).where(
                    col(SourceLink.system) == system,
                    col(SourceLink.external_id).in_(ids[start : start + 500]),
                )
            )
            linked.update((external, customer) for external, customer in result.all())
        # A customer linked to several of the rows keeps the earliest of them.
        earliest: dict[str, AcquisitionFacts] = {}
        for row in rows:
            if row.record_id not in linked:
                continue
            new = NewAcquisition(
                linked[row.record_id], row.acquired_at, system, row.channel, row.campaign
            )
            facts = checked(new)
            held = earliest.get(facts.customer_id)
            if held is None or facts.acquired_at < held.acquired_at:
                earliest[facts.customer_id] = facts
        stored = await write_with_provenance(session, list(earliest.values()), rule=rule)
    return len(stored)
