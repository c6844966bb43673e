"""Linking incoming source records (sync, CSV import) into the master store.

Every record goes through `admit` (the one gate), then `Ingestor.ingest` in batches: a record
whose (system, external id) is already linked refreshes its customer; any other is normalized,
blocked against the customers' indexed keys (`blocking_key`), scored by the `MatchEngine`, and
joins the best customer (MATCH), becomes a new customer with a `match_candidate` (REVIEW), or
a new customer (DISTINCT). Survivorship then rebuilds each touched golden record.

A record carrying an erased person's identifier is taken only by a live customer that already
holds that identifier (the suppression rule, `app.privacy.suppression`): it is skipped when it
would make a new customer or join one that does not hold it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.customers.change_log import Change, identity_linked, point_added, record_changes
from app.customers.contact_points import PostalAddress
from app.customers.profiles import LOYALTY_SYSTEM
from app.errors import InvalidInputError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.identity.blocking import DEFAULT_MAX_BLOCK_SIZE, blocking_keys
from app.identity.decision import Decision, Thresholds
from app.identity.engine import MatchEngine
from app.identity.evidence import MatchScore
from app.identity.golden import GoldenOf, winners, write_golden
from app.identity.normalized import NormalizedRecord
from app.identity.record import FIELDS, PersonRecord
from app.identity.survivorship import SurvivorshipRules
from app.privacy.suppression import Identifier, Identifiers, suppressed_among
from app.search.index import refresh_search_keys
from app.settings import Settings
from app.store.db import Database
from app.store.models import (
    BlockingKey,
    CandidateStatus,
    ContactKind,
    ContactPoint,
    Customer,
    FieldProvenance,
    LinkMethod,
    MatchCandidate,
    SourceLink,
    SourceRecord,
)
from app.store.repositories import contact_points as contact_repo
from app.store.repositories import customers as customer_repo
from app.store.repositories import identity as repo
from app.store.repositories.acquisitions import refresh_lost
from app.store.repositories.metric_dimensions import refresh_dimensions
from app.store.types import utcnow

log = structlog.get_logger("c360.identity")

GUARD_CLUSTER_SIZE = "cluster would exceed the maximum size"
ERASED_PERSON = "erased person (suppression list)"
_INSERT_ORDER: tuple[type[SQLModel], ...] = (
    Customer,
    ContactPoint,
    SourceLink,
    SourceRecord,
    FieldProvenance,
    MatchCandidate,
)
_IDENTIFYING = ("given_name", "family_name", "full_name", "email", "phone", "national_id")
_INDEX_CHUNK = 500


@dataclass(frozen=True, slots=True)
class IncomingRecord:
    """A person record as a source system gives it, with its identity in that system."""

    system: str
    external_id: str
    person: PersonRecord
    observed_at: datetime | None = None
    verified: bool = False


class Outcome(StrEnum):
    LINKED = "linked"  # joined an existing customer by matching
    UPDATED = "updated"  # an identity already linked refreshed its customer
    NEW = "new"  # a new customer
    CANDIDATE = "candidate"  # a new customer, and a pair for a steward to review
    SKIPPED = "skipped"


@dataclass
class IngestSummary:
    """What a run did: records read, each outcome, why records were skipped, who changed."""

    read: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    changed: set[str] = field(default_factory=set)

    def count(self, outcome: Outcome) -> int:
        return self.outcomes[outcome]

    def add(self, other: IngestSummary) -> None:
        self.read += other.read
        self.outcomes.update(other.outcomes)
        self.skip_reasons.update(other.skip_reasons)
        self.changed |= other.changed


@dataclass(frozen=True, slots=True)
class Admission:
    """The gate's answer: why a record is refused, or the erased identifiers it carries (then
    only a live customer that already holds them all may take it)."""

    refused: str | None = None
    erased: frozenset[Identifier] = frozenset()


def _identifiers(record: IncomingRecord, norm: NormalizedRecord) -> Identifiers:
    return Identifiers(
        emails=[norm.email] if norm.email else [],
        phones=[norm.phone] if norm.phone else [],
        national_ids=[norm.national_id] if norm.national_id else [],
        loyalty_ids=[norm.loyalty_id] if norm.loyalty_id else [],
        source_ids=[(record.system, record.external_id)],
    )


async def admit(
    session: AsyncSession, settings: Settings, record: IncomingRecord, norm: NormalizedRecord
) -> Admission:
    """The one gate every incoming record (sync or import) passes before it may touch the store.

    Says why the record must be skipped, or which erased identifiers it carries: those never
    come back, except to a live customer that holds them (checked once the record resolves).
    """
    if not record.system.strip() or len(record.system) > 64:
        return Admission("bad system name")
    if not record.external_id.strip() or len(record.external_id) > 256:
        return Admission("missing or overlong external id")
    person = record.person
    if not any(getattr(person, name) for name in _IDENTIFYING):
        return Admission("nothing identifies the person")
    return Admission(erased=await suppressed_among(session, settings, _identifiers(record, norm)))


async def customers_changed(db: Database, customer_ids: Collection[str], *, cause: str) -> None:
    """Called once after each committed ingest batch, merge and unmerge, with the customers whose
    golden record, links or contact points changed: their search keys and the summary groups
    of their metric values follow them (a merged tombstone loses its keys), and so does their
    acquisition record (lost when `past`; a tombstone's moves to its survivor)."""
    log.debug("customers changed", cause=cause, customers=len(customer_ids))
    async with db.transaction() as session:
        await refresh_search_keys(session, customer_ids)
        await refresh_dimensions(session, customer_ids)
        await refresh_lost(session, customer_ids)


class _Point(NamedTuple):
    """What matching and deduplication need of a contact point (cheaper than a row object)."""

    kind: str
    value: str
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = None

    @classmethod
    def of(cls, row: ContactPoint) -> _Point:
        return cls(row.kind, row.value, row.street, row.city, row.postcode, row.country)


@dataclass
class _Entity:
    """A live customer as a batch sees it: rows, keys, and its records in comparable form."""

    customer: Customer
    points: list[_Point]
    records: dict[tuple[str, str], SourceRecord]
    link_count: int
    keys: set[str]
    normalized: list[NormalizedRecord] = field(default_factory=list)
    is_new: bool = False


@dataclass
class _Batch:
    session: AsyncSession
    entities: dict[str, _Entity] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)  # requested id -> live id
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    index: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    new_keys: list[dict[str, str]] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)  # for the change log
    # New rows, written with one multi-row INSERT per table at the end of the batch: adding
    # them to the session would make every flush walk all of them.
    new_rows: dict[type[SQLModel], list[SQLModel | dict[str, Any]]] = field(
        default_factory=lambda: {model: [] for model in _INSERT_ORDER}
    )

    def add(self, row: SQLModel) -> None:
        self.new_rows[type(row)].append(row)

    def add_values(self, model: type[SQLModel], values: dict[str, Any]) -> None:
        """A new row as column values: every column but an autoincrement id, as `add` gives."""
        self.new_rows[model].append(values)


def _address(person: PersonRecord, default_region: str) -> PostalAddress | None:
    if not person.street or not person.city:
        return None
    street = f"{person.street_number} {person.street}" if person.street_number else person.street
    country = (person.country or "").strip()
    try:
        return PostalAddress(
            street=street,
            city=person.city,
            country=country if len(country) == 2 else default_region,
            postcode=person.postcode,
            region=person.region,
            address_line2=person.address_line2,
        ).validated()
    except InvalidInputError:
        return None


def golden_person_records(customer: Customer, points: Sequence[_Point]) -> list[PersonRecord]:
    """The customer as person records for matching: its golden fields with each contact point."""
    emails = [p.value for p in points if p.kind == ContactKind.EMAIL]
    phones = [p.value for p in points if p.kind == ContactKind.PHONE]
    addresses = [p for p in points if p.kind == ContactKind.ADDRESS]
    records = []
    for i in range(max(1, len(emails), len(phones), len(addresses))):
        address = addresses[min(i, len(addresses) - 1)] if addresses else None
        records.append(
            PersonRecord(
                record_id=customer.id,
                given_name=customer.given_name,
                family_name=customer.family_name,
                birth_date=customer.birth_date.isoformat() if customer.birth_date else None,
                national_id=customer.national_id,
                loyalty_id=customer.loyalty_id,
                email=emails[min(i, len(emails) - 1)] if emails else None,
                phone=phones[min(i, len(phones) - 1)] if phones else None,
                street=address.street if address else None,
                city=address.city if address else None,
                postcode=address.postcode if address else None,
                country=address.country if address else None,
            )
        )
    return records


def _stored_person(row: SourceRecord, customer_id: str) -> PersonRecord:
    values = {k: v for k, v in row.values.items() if k in FIELDS and isinstance(v, str)}
    return PersonRecord.from_fields(customer_id, values)


class Ingestor:
    """Links batches of incoming records into the store with one engine and one set of rules."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        engine: MatchEngine,
        rules: SurvivorshipRules,
        max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    ) -> None:
        self.db = db
        self.settings = settings  # the suppression list's key
        self.engine = engine
        self.rules = rules
        self.max_block_size = max_block_size

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> Ingestor:
        """An ingestor with the configured thresholds, cluster cap and survivorship rules."""
        thresholds = Thresholds(
            auto_link=settings.match_auto_link,
            review=settings.match_review,
            max_cluster_size=settings.match_max_cluster_size,
        )
        return cls(
            db,
            settings,
            engine=MatchEngine(thresholds=thresholds, default_region=settings.default_phone_region),
            rules=SurvivorshipRules.from_settings(
                settings.survivorship_priority, settings.survivorship_field_priority
            ),
        )

    # -- the blocking index -------------------------------------------------------------------

    def _entity_keys(self, entity: _Entity) -> set[str]:
        return {key for record in entity.normalized for key in blocking_keys(record)}

    async def index_store(self, progress: Callable[[int], None] | None = None) -> int:
        """Give blocking keys to live customers that have none (made by seed or GraphQL)."""
        indexed, after = 0, ""
        while True:
            async with self.db.transaction() as session:
                ids = await repo.unindexed_customer_ids(session, limit=_INDEX_CHUNK, after=after)
                if not ids:
                    return indexed
                batch = _Batch(session)
                await self._load(batch, ids)
                rows = [
                    {"customer_id": entity.customer.id, "key": key}
                    for entity in batch.entities.values()
                    for key in sorted(self._entity_keys(entity))
                ]
                await repo.insert_rows(session, BlockingKey, rows)
            indexed += len(ids)
            after = ids[-1]
            if progress:
                progress(len(ids))

    async def _load(self, batch: _Batch, ids: Iterable[str]) -> None:
        wanted = [i for i in set(ids) if i not in batch.alias]
        if not wanted:
            return
        session = batch.session
        survivors = await customer_repo.resolve_survivors(session, ids=wanted)
        live = sorted({row.id for row in survivors.values()} - set(batch.entities))
        points = await contact_repo.contact_points_by_customer(session, customer_ids=live)
        records = await repo.rows_by_customer(session, SourceRecord, customer_ids=live)
        keys = await repo.keys_of(session, customer_ids=live)
        counts = await repo.link_counts(session, customer_ids=live)
        for requested, row in survivors.items():
            batch.alias[requested] = row.id
            if row.id in batch.entities:
                continue
            entity = _Entity(
                customer=row,
                points=[_Point.of(p) for p in points.get(row.id, [])],
                records={(r.system, r.external_id): r for r in records.get(row.id, [])},
                link_count=counts.get(row.id, 0),
                keys=keys.get(row.id, set()),
            )
            people = golden_person_records(row, entity.points)
            people += [_stored_person(r, row.id) for r in entity.records.values()]
            entity.normalized = [self.engine.normalize(p) for p in people]
            batch.entities[row.id] = entity

    # -- one batch -----------------------------------------------------------------------------

    async def ingest(self, records: Sequence[IncomingRecord]) -> IngestSummary:
        """Link one batch of records in one transaction; returns what happened to each."""
        summary = IngestSummary(read=len(records))
        accepted: list[IncomingRecord] = []
        normalized: list[NormalizedRecord] = []
        erased: list[frozenset[Identifier]] = []
        async with self.db.session() as session:
            for record in records:
                norm = self.engine.normalize(record.person)
                admission = await admit(session, self.settings, record, norm)
                if admission.refused is None:
                    accepted.append(record)
                    normalized.append(norm)
                    erased.append(admission.erased)
                else:
                    summary.outcomes[Outcome.SKIPPED] += 1
                    summary.skip_reasons[admission.refused] += 1
        if not accepted:
            return summary
        async with self.db.transaction() as session:
            batch = _Batch(session)
            by_system: dict[str, list[str]] = defaultdict(list)
            for record in accepted:
                by_system[record.system].append(record.external_id)
            for system, external_ids in by_system.items():
                found = await repo.links_by_identity(
                    session, system=system, external_ids=external_ids
                )
                batch.links.update(((system, e), link.customer_id) for e, link in found.items())
            record_keys = [blocking_keys(n) for n in normalized]
            hits = await repo.customers_by_keys(
                session,
                keys=[key for keys in record_keys for key in keys],
                max_per_key=self.max_block_size,
            )
            await self._load(batch, [*batch.links.values(), *(c for s in hits.values() for c in s)])
            for key, customer_ids in hits.items():
                batch.index[key].update(batch.alias[c] for c in customer_ids if c in batch.alias)
            for record, norm, keys, held in zip(
                accepted, normalized, record_keys, erased, strict=True
            ):
                outcome = await self._one(batch, record, norm, keys, held)
                summary.outcomes[outcome] += 1
                if outcome is Outcome.SKIPPED:
                    summary.skip_reasons[ERASED_PERSON] += 1
            await self._finish(batch)
            summary.changed = set(batch.dirty)
            emit(
                session,
                EventKind.PROFILE_CHANGED,
                sorted(summary.changed),
                changed=["identities"],
                source=next(iter(by_system)) if len(by_system) == 1 else "ingest",
            )
        await customers_changed(self.db, summary.changed, cause="ingest")
        return summary

    async def _one(
        self,
        batch: _Batch,
        record: IncomingRecord,
        norm: NormalizedRecord,
        keys: list[str],
        erased: frozenset[Identifier],
    ) -> Outcome:
        """Link one admitted record; SKIPPED when its erased identifiers do not go with it."""
        identity = (record.system, record.external_id)
        linked = batch.links.get(identity)
        if linked is not None and batch.alias.get(linked) in batch.entities:
            entity = batch.entities[batch.alias[linked]]
            if not _holds(batch, entity, erased):
                return Outcome.SKIPPED
            self._attach(batch, entity, record, norm, keys)
            return Outcome.UPDATED
        candidates = {c for key in keys for c in batch.index.get(key, ())}
        outcome = self.engine.link(
            norm, [n for c in sorted(candidates) for n in batch.entities[c].normalized]
        )
        best = outcome.best
        decision = outcome.decision
        thresholds = self.engine.thresholds
        if (
            best is not None
            and decision is Decision.MATCH
            and batch.entities[best.right_id].link_count >= thresholds.max_cluster_size
        ):
            decision = Decision.REVIEW
            best = replace(
                best,
                score=thresholds.review_ceiling,
                decision=Decision.REVIEW,
                guards=(*best.guards, GUARD_CLUSTER_SIZE),
            )
        if best is not None and decision is Decision.MATCH:
            method = LinkMethod.DETERMINISTIC if best.score >= 1.0 else LinkMethod.FUZZY
            target = batch.entities[best.right_id]
            if not _holds(batch, target, erased):
                return Outcome.SKIPPED
            self._attach(batch, target, record, norm, keys, method=method, score=best.score)
            return Outcome.LINKED
        if erased:  # a new customer holds nothing: the erased person would come back
            return Outcome.SKIPPED
        entity = self._create(batch)
        self._attach(batch, entity, record, norm, keys, method=LinkMethod.DETERMINISTIC)
        if best is not None and decision is Decision.REVIEW:
            batch.add_values(
                MatchCandidate,
                {
                    "left_id": entity.customer.id,
                    "right_id": best.right_id,
                    "score": round(best.score, 6),
                    "evidence": _evidence(best),
                    "status": CandidateStatus.PENDING.value,
                    "created_at": utcnow(),
                    "decided_at": None,
                    "decided_by": None,
                },
            )
            return Outcome.CANDIDATE
        return Outcome.NEW

    def _create(self, batch: _Batch) -> _Entity:
        customer = Customer()
        batch.add(customer)
        entity = _Entity(
            customer=customer, points=[], records={}, link_count=0, keys=set(), is_new=True
        )
        batch.entities[customer.id] = entity
        batch.alias[customer.id] = customer.id
        return entity

    def _attach(
        self,
        batch: _Batch,
        entity: _Entity,
        record: IncomingRecord,
        norm: NormalizedRecord,
        keys: list[str],
        *,
        method: LinkMethod | None = None,
        score: float | None = None,
    ) -> None:
        customer_id = entity.customer.id
        identity = (record.system, record.external_id)
        values = {k: v for k, v in record.person.field_values().items() if v}
        observed = record.observed_at or utcnow()
        stored = entity.records.get(identity)
        if stored is None:
            stored = SourceRecord(
                customer_id=customer_id,
                system=record.system,
                external_id=record.external_id,
                values=values,
                verified=record.verified,
                observed_at=observed,
            )
            batch.add(stored)
            entity.records[identity] = stored
        elif observed >= stored.observed_at:
            stored.values, stored.observed_at, stored.verified = values, observed, record.verified
        if identity not in batch.links:
            link = {
                "customer_id": customer_id,
                "system": record.system,
                "external_id": record.external_id,
                "method": (method or LinkMethod.DETERMINISTIC).value,
                "score": None if score is None else round(score, 6),
                "linked_at": utcnow(),
            }
            batch.add_values(SourceLink, link)
            batch.changes.append(identity_linked(link, source=record.system, changed_at=observed))
            batch.links[identity] = customer_id
            entity.link_count += 1
        self._add_points(batch, entity, record, norm, observed)
        for key in keys:
            batch.index[key].add(customer_id)
            if key not in entity.keys:
                entity.keys.add(key)
                batch.new_keys.append({"customer_id": customer_id, "key": key})
        entity.normalized.append(replace(norm, record_id=customer_id))
        batch.dirty.add(customer_id)

    def _add_points(
        self,
        batch: _Batch,
        entity: _Entity,
        record: IncomingRecord,
        norm: NormalizedRecord,
        observed: datetime,
    ) -> None:
        # The normalized record already holds the valid email and the E.164 phone.
        address = _address(record.person, self.engine.default_region)
        found: list[tuple[ContactKind, str, PostalAddress | None]] = [
            (ContactKind.EMAIL, norm.email, None),
            (ContactKind.PHONE, norm.phone, None),
            (ContactKind.ADDRESS, address.one_line() if address else "", address),
        ]
        held = {(p.kind, p.value) for p in entity.points}
        now = utcnow()
        for kind, value, postal in found:
            if not value or (kind.value, value) in held:
                continue
            point = {
                "customer_id": entity.customer.id,
                "kind": kind.value,
                "label": "home" if postal else None,
                "value": value,
                "street": postal.street if postal else None,
                "address_line2": postal.address_line2 if postal else None,
                "city": postal.city if postal else None,
                "postcode": postal.postcode if postal else None,
                "region": postal.region if postal else None,
                "country": postal.country if postal else None,
                "is_primary": all(p.kind != kind.value for p in entity.points),
                "verified_at": now if record.verified else None,
                "source": record.system,
                "created_at": now,
            }
            batch.add_values(ContactPoint, point)
            batch.changes.append(point_added(point, source=record.system, changed_at=observed))
            entity.points.append(
                _Point(
                    kind.value,
                    value,
                    postal.street if postal else None,
                    postal.city if postal else None,
                    postal.postcode if postal else None,
                    postal.country if postal else None,
                )
            )

    async def _finish(self, batch: _Batch) -> None:
        session = batch.session
        existing = [cid for cid in batch.dirty if not batch.entities[cid].is_new]
        provenance = await repo.rows_by_customer(session, FieldProvenance, customer_ids=existing)
        chosen = {
            customer_id: winners(
                GoldenOf(batch.entities[customer_id].customer, provenance.get(customer_id, [])),
                batch.entities[customer_id].records.values(),
                self.rules,
            )
            for customer_id in sorted(batch.dirty)
        }
        cards = sorted(
            {w.value for c in chosen.values() for n, w in c.items() if n == "loyalty_id"}
        )
        links = await repo.links_by_identity(session, system=LOYALTY_SYSTEM, external_ids=cards)
        owners = {card: link.customer_id for card, link in links.items()}
        for customer_id, fields in chosen.items():
            entity = batch.entities[customer_id]
            await write_golden(
                session,
                entity.customer,
                fields,
                provenance.get(customer_id, []),
                bump_version=not entity.is_new,
                owners=owners,
                add=batch.add,
                changes=batch.changes,
            )
        for model in _INSERT_ORDER:
            rows = [r if isinstance(r, dict) else _insert_values(r) for r in batch.new_rows[model]]
            await repo.insert_rows(session, model, rows)
        if batch.new_keys:
            await repo.insert_rows(session, BlockingKey, batch.new_keys)
        await record_changes(session, batch.changes)


def _holds(batch: _Batch, entity: _Entity, erased: frozenset[Identifier]) -> bool:
    """Whether the live customer already holds every one of these erased identifiers."""
    if not erased:
        return True
    customer = entity.customer
    held = Identifiers(
        emails=[p.value for p in entity.points if p.kind == ContactKind.EMAIL],
        phones=[p.value for p in entity.points if p.kind == ContactKind.PHONE],
        national_ids=[customer.national_id] if customer.national_id else [],
        loyalty_ids=[customer.loyalty_id] if customer.loyalty_id else [],
        source_ids=[i for i, owner in batch.links.items() if batch.alias.get(owner) == customer.id],
    )
    return erased <= set(held.canonical())


def _insert_values(row: SQLModel) -> dict[str, Any]:
    """A new row's column values; an autoincrement id is left to the database."""
    values = {c.name: getattr(row, c.name) for c in row.__table__.columns}  # type: ignore[attr-defined]
    if values.get("id") is None:
        values.pop("id", None)
    return values


def _evidence(score: MatchScore) -> dict[str, Any]:
    """What a candidate row keeps of a score: no values, only how each field compared."""
    data = score.to_dict()
    return {
        "probability": data["probability"],
        "swapped_names": data["swapped_names"],
        "guards": data["guards"],
        "fields": data["evidence"],
    }
