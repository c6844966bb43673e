"""Merging two customers into one, and undoing it exactly from the merge journal.

A merge keeps the merged id as a tombstone (`merged_into`), so lookups of it find the survivor.
Contact points, source links and records, blocking keys, consents, interactions, metrics (and
preferences, if the survivor has none) move to the survivor; the golden record is rebuilt by
survivorship. Consents combine so that the most restrictive current decision wins: where one
side withdrew or denied what the other grants, a `merge` entry restates the withdrawal or denial.
The journal keeps both records as they were, so `unmerge` puts everything back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.customers.change_log import Change, record_changes
from app.errors import ConflictError, InvalidInputError, NotFoundError
from app.identity.golden import GoldenOf, winners, write_golden
from app.identity.merge_history import (
    MERGE_SOURCE,
    UNMERGE_SOURCE,
    merge_entries,
    record_state,
    state_changes,
)
from app.identity.survivorship import SurvivorshipRules
from app.store.models import (
    BlockingKey,
    CandidateStatus,
    ConsentEvent,
    ContactPoint,
    Customer,
    FieldProvenance,
    Interaction,
    MergeJournal,
    MetricObservation,
    Preference,
    SourceLink,
    SourceRecord,
)
from app.store.repositories import customers as customer_repo
from app.store.repositories import identity as repo
from app.store.repositories import timelines
from app.store.types import UTCDateTime, utcnow

# Tables whose rows are restored row for row on unmerge (both customers' rows are journalled).
_SNAPSHOT_TABLES: tuple[type[SQLModel], ...] = (
    ContactPoint,
    SourceLink,
    SourceRecord,
    FieldProvenance,
    BlockingKey,
)
# Append-only history that simply moves to the survivor and back.
_MOVED_TABLES: tuple[type[SQLModel], ...] = (ConsentEvent, Interaction, MetricObservation)
# Most restrictive first; an expired grant is not a decision of the person, so it never
# overrides a live grant.
_RESTRICTIVENESS = {"withdrawn": 2, "denied": 1, "granted": 0}


def _to_json(row: SQLModel) -> dict[str, Any]:
    data = {}
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        value = getattr(row, column.name)
        data[column.name] = value.isoformat() if isinstance(value, date | datetime) else value
    return data


def _from_json(model: type[SQLModel], data: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        value = data.get(column.name)
        if isinstance(value, str) and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        values[column.name] = value
    return values


async def _snapshot(session: AsyncSession, customer_ids: list[str]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for model in _SNAPSHOT_TABLES:
        rows = await repo.rows_by_customer(session, model, customer_ids=customer_ids)
        name = str(model.__tablename__)
        tables[name] = [_to_json(r) for cid in customer_ids for r in rows.get(cid, [])]
    return tables


async def _owned(session: AsyncSession, model: type[Any], customer_id: str) -> list[Any]:
    return (await repo.rows_by_customer(session, model, customer_ids=[customer_id])).get(
        customer_id, []
    )


async def _live(session: AsyncSession, customer_id: str, role: str) -> Customer:
    row = (await customer_repo.get_customers(session, ids=[customer_id])).get(customer_id)
    if row is None:
        raise NotFoundError(f"the {role} customer does not exist", id=customer_id)
    if row.merged_into is not None:
        raise ConflictError(
            f"the {role} customer was already merged into another", mergedInto=row.merged_into
        )
    return row


async def _combine_consents(
    session: AsyncSession, survivor_id: str, merged_id: str, now: datetime
) -> list[int]:
    """Restate, on the survivor, each withdrawal or denial the other side's grant would hide."""
    latest = await timelines.current_consents_by_customer(
        session, customer_ids=[survivor_id, merged_id]
    )
    by_key: dict[tuple[str, str], list[ConsentEvent]] = {}
    for rows in latest.values():
        for row in rows:
            by_key.setdefault((row.purpose, row.channel), []).append(row)
    added = []
    for (purpose, channel), rows in sorted(by_key.items()):
        newest = max(rows, key=lambda r: (r.captured_at, r.id or 0))
        strictest = max(rows, key=lambda r: _RESTRICTIVENESS.get(r.status, 0))
        if _RESTRICTIVENESS.get(strictest.status, 0) > _RESTRICTIVENESS.get(newest.status, 0):
            event = ConsentEvent(
                customer_id=survivor_id,
                purpose=purpose,
                channel=channel,
                status=strictest.status,
                lawful_basis=strictest.lawful_basis,
                captured_at=now,
                source="merge",
                evidence=f"restated from {strictest.source} on merging {merged_id}",
            )
            session.add(event)
            await session.flush()
            assert event.id is not None  # the flush gave it one
            added.append(event.id)
    return added


async def merge_customers(
    session: AsyncSession,
    *,
    survivor_id: str,
    merged_id: str,
    merged_by: str,
    rules: SurvivorshipRules,
) -> Customer:
    """Merge `merged_id` into `survivor_id` in the caller's transaction; returns the survivor."""
    if survivor_id == merged_id:
        raise InvalidInputError("a customer cannot be merged into itself", argument="mergedId")
    survivor = await _live(session, survivor_id, "surviving")
    merged = await _live(session, merged_id, "merged")
    now = utcnow()
    snapshot: dict[str, Any] = {
        "customers": {survivor.id: _to_json(survivor), merged.id: _to_json(merged)},
        "tables": await _snapshot(session, [survivor.id, merged.id]),
    }
    provenance = await repo.rows_by_customer(
        session, FieldProvenance, customer_ids=[survivor.id, merged.id]
    )
    merged_golden = GoldenOf(merged, provenance.get(merged.id, []))
    before = await record_state(session, survivor)

    # Contact points and keys: the survivor's copy of a shared value stays, the merged one goes.
    held = {(p.kind, p.value) for p in await _owned(session, ContactPoint, survivor.id)}
    merged_points = await _owned(session, ContactPoint, merged.id)
    shared = [p.id for p in merged_points if (p.kind, p.value) in held]
    await repo.delete_rows(session, ContactPoint, ids=shared)
    primary_kinds = {kind for kind, _ in held}
    for point in merged_points:
        if (point.kind, point.value) not in held and point.kind in primary_kinds:
            point.is_primary = False
    await session.flush()
    await repo.move_rows(session, ContactPoint, from_customer=merged.id, to_customer=survivor.id)
    survivor_keys = {k.key for k in await _owned(session, BlockingKey, survivor.id)}
    merged_keys = await _owned(session, BlockingKey, merged.id)
    await repo.delete_rows(
        session, BlockingKey, ids=[k.id for k in merged_keys if k.key in survivor_keys]
    )
    for identity_model in (SourceLink, SourceRecord, BlockingKey):
        await repo.move_rows(
            session, identity_model, from_customer=merged.id, to_customer=survivor.id
        )
    await repo.delete_customer_rows(session, FieldProvenance, customer_ids=[merged.id])

    moved: dict[str, list[int]] = {}
    added_consents = await _combine_consents(session, survivor.id, merged.id, now)
    for model in _MOVED_TABLES:
        moved[str(model.__tablename__)] = await repo.move_rows(
            session, model, from_customer=merged.id, to_customer=survivor.id
        )
    preference_moved = False
    if await session.get(Preference, survivor.id) is None:
        own = await session.get(Preference, merged.id)
        if own is not None:
            data = _to_json(own)
            await session.delete(own)
            await session.flush()
            moved_row = {**_from_json(Preference, data), "customer_id": survivor.id}
            await repo.insert_rows(session, Preference, [moved_row])
            preference_moved = True

    for candidate in await repo.pending_between(session, first=survivor.id, second=merged.id):
        if candidate.status == CandidateStatus.PENDING:
            candidate.status = CandidateStatus.MATCH
            candidate.decided_at, candidate.decided_by = now, merged_by

    merged.merged_into = survivor.id
    merged.version += 1
    merged.updated_at = now
    await session.flush()
    records = await _owned(session, SourceRecord, survivor.id)
    own_provenance = provenance.get(survivor.id, [])
    chosen = winners(GoldenOf(survivor, own_provenance), records, rules, also=[merged_golden])
    changes: list[Change] = []
    await write_golden(
        session, survivor, chosen, own_provenance, bump_version=False, changes=changes
    )
    after = await record_state(session, survivor)
    changes += state_changes(survivor.id, before, after, source=MERGE_SOURCE, profile=False)
    changes += merge_entries(survivor.id, merged.id, undone=False)
    await record_changes(session, changes)
    survivor.version += 1
    survivor.updated_at = now
    snapshot.update(moved=moved, added_consents=added_consents, preference_moved=preference_moved)
    session.add(
        MergeJournal(
            survivor_id=survivor.id, merged_id=merged.id, snapshot=snapshot, merged_by=merged_by
        )
    )
    await session.flush()
    return survivor


async def unmerge_customer(
    session: AsyncSession, *, merged_id: str, undone_by: str
) -> tuple[Customer, Customer]:
    """Undo the merge of `merged_id` exactly; returns (restored, survivor).

    Only the newest merge into a survivor can be undone, and only while the survivor is live:
    undoing an older one first would restore a survivor missing what later merges brought.
    """
    rows = await customer_repo.get_customers(session, ids=[merged_id])
    merged = rows.get(merged_id)
    if merged is None:
        raise NotFoundError("customer not found", id=merged_id)
    journal = await repo.latest_merge(session, customer_id=merged_id, as_survivor=False)
    if merged.merged_into is None or journal is None:
        raise ConflictError("this customer is not merged into another")
    survivor = (await customer_repo.get_customers(session, ids=[journal.survivor_id])).get(
        journal.survivor_id
    )
    if survivor is None:
        raise ConflictError("the customer it was merged into no longer exists")
    newest = await repo.latest_merge(session, customer_id=survivor.id, as_survivor=True)
    if survivor.merged_into is not None or newest is None or newest.id != journal.id:
        raise ConflictError("a later merge involves the survivor; unmerge that one first")
    snapshot = journal.snapshot
    ids = [survivor.id, merged.id]
    before = await record_state(session, survivor)
    for model in _SNAPSHOT_TABLES:
        name = model.__tablename__
        saved = [_from_json(model, row) for row in snapshot["tables"][name]]
        if model is FieldProvenance:
            # Lineage goes with the golden values, which are restored as they were.
            await repo.delete_customer_rows(session, model, customer_ids=ids)
        else:
            # Rows put back as journalled; rows the survivor gained since stay with it.
            await repo.delete_rows(session, model, ids=[row["id"] for row in saved])
        await session.flush()
        await repo.insert_rows(session, model, saved)
    for name, moved_ids in snapshot["moved"].items():
        model = {m.__tablename__: m for m in _MOVED_TABLES}[name]
        await repo.reassign_rows(session, model, ids=moved_ids, customer_id=merged.id)
    await repo.delete_rows(session, ConsentEvent, ids=snapshot["added_consents"])
    if snapshot["preference_moved"]:
        moved_preference = await session.get(Preference, survivor.id)
        if moved_preference is not None:
            data = _to_json(moved_preference)
            await session.delete(moved_preference)
            await session.flush()
            back = {**_from_json(Preference, data), "customer_id": merged.id}
            await repo.insert_rows(session, Preference, [back])
    now = utcnow()
    for customer in (survivor, merged):
        saved_customer = _from_json(Customer, snapshot["customers"][customer.id])
        version = customer.version
        for column, value in saved_customer.items():
            setattr(customer, column, value)
        customer.version = version + 1
        customer.updated_at = now
    for candidate in await repo.pending_between(session, first=survivor.id, second=merged.id):
        # Undoing a merge is a steward saying these two are different people.
        candidate.status = CandidateStatus.NOT_MATCH
        candidate.decided_at, candidate.decided_by = now, undone_by
    journal.undone_at = now
    after = await record_state(session, survivor)
    changes = state_changes(survivor.id, before, after, source=UNMERGE_SOURCE, profile=True)
    await record_changes(session, [*changes, *merge_entries(survivor.id, merged.id, undone=True)])
    return merged, survivor
