"""What data stewards do with identities: review candidate pairs, merge and unmerge customers.

Each function is one transaction; merges and unmerges then call `customers_changed` once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from app.errors import ConflictError, InvalidInputError, NotFoundError
from app.events.kinds import EventKind
from app.events.outbox import emit
from app.identity.ingest import customers_changed
from app.identity.merging import merge_customers, unmerge_customer
from app.identity.survivorship import SurvivorshipRules
from app.pagination import Page, decode_cursor, encode_cursor
from app.store.db import Database
from app.store.models import CandidateStatus, Customer, MatchCandidate
from app.store.repositories import customers as customer_repo
from app.store.repositories import identity as repo
from app.store.types import utcnow


class CandidateDecision(StrEnum):
    MATCH = "match"
    NOT_MATCH = "not_match"


@dataclass(frozen=True, slots=True)
class Resolution:
    """A decided candidate and, for MATCH, the customer both records now are."""

    candidate: MatchCandidate
    survivor: Customer | None


async def duplicate_candidates(
    db: Database, *, min_score: float, first: int, after: str | None
) -> tuple[Page[MatchCandidate], int]:
    """A page of pending candidates between live customers, strongest first, and their total."""
    if not 0.0 <= min_score <= 1.0:
        raise InvalidInputError("minScore must be between 0 and 1", argument="minScore")
    position = None
    if after is not None:
        score, last_id = decode_cursor(after, 2)
        if not isinstance(score, int | float) or not isinstance(last_id, int):
            raise InvalidInputError("malformed cursor", argument="after")
        position = (float(score), last_id)
    async with db.session() as session:
        rows, more = await repo.pending_candidates(
            session, min_score=min_score, first=first, after=position
        )
        total = await repo.count_pending_candidates(session, min_score=min_score)
    page = Page(
        items=rows,
        cursors=[encode_cursor(row.score, row.id) for row in rows],
        has_next_page=more,
        has_previous_page=after is not None,
    )
    return page, total


async def resolve_candidate(
    db: Database,
    *,
    candidate_id: int,
    decision: CandidateDecision,
    decided_by: str,
    rules: SurvivorshipRules,
) -> Resolution:
    """Decide a pending candidate: MATCH merges the newer customer into the older one;
    NOT_MATCH is remembered, so the pair is never proposed again."""
    survivor: Customer | None = None
    async with db.transaction() as session:
        candidate = await session.get(MatchCandidate, candidate_id)
        if candidate is None:
            raise NotFoundError("candidate not found")
        if candidate.status != CandidateStatus.PENDING:
            raise ConflictError("the candidate was already decided", status=candidate.status)
        live = await customer_repo.resolve_survivors(
            session, ids=[candidate.left_id, candidate.right_id]
        )
        if candidate.left_id not in live or candidate.right_id not in live:
            raise NotFoundError("a customer of this candidate no longer exists")
        left, right = live[candidate.left_id], live[candidate.right_id]
        now = utcnow()
        if decision is CandidateDecision.MATCH and left.id != right.id:
            older, newer = sorted((left, right), key=lambda c: (c.created_at, c.id))
            survivor = await merge_customers(
                session, survivor_id=older.id, merged_id=newer.id, merged_by=decided_by, rules=rules
            )
            emit(session, EventKind.MERGED, [older.id, newer.id], changed=["merged_into"])
        elif decision is CandidateDecision.MATCH:
            survivor = left
        candidate.status = (
            CandidateStatus.MATCH
            if decision is CandidateDecision.MATCH
            else CandidateStatus.NOT_MATCH
        )
        candidate.decided_at, candidate.decided_by = now, decided_by
    if survivor is not None:
        await customers_changed(db, {candidate.left_id, candidate.right_id}, cause="merge")
    return Resolution(candidate=candidate, survivor=survivor)


async def merge(
    db: Database, *, survivor_id: str, merged_id: str, merged_by: str, rules: SurvivorshipRules
) -> Customer:
    """Merge `merged_id` into `survivor_id` (the merged id becomes a tombstone)."""
    async with db.transaction() as session:
        survivor = await merge_customers(
            session, survivor_id=survivor_id, merged_id=merged_id, merged_by=merged_by, rules=rules
        )
        emit(session, EventKind.MERGED, [survivor.id, merged_id], changed=["merged_into"])
    await customers_changed(db, {survivor_id, merged_id}, cause="merge")
    return survivor


async def unmerge(db: Database, *, customer_id: str, undone_by: str) -> tuple[Customer, Customer]:
    """Restore a merged customer and its survivor as they were; returns (restored, survivor)."""
    try:
        async with db.transaction() as session:
            restored, survivor = await unmerge_customer(
                session, merged_id=customer_id, undone_by=undone_by
            )
            emit(session, EventKind.UNMERGED, [survivor.id, restored.id], changed=["merged_into"])
    except IntegrityError:
        # E.g. an identity of the merged customer was linked anew since: nothing was written.
        raise ConflictError(
            "the records changed since the merge in a way that cannot be undone automatically"
        ) from None
    await customers_changed(db, {restored.id, survivor.id}, cause="unmerge")
    return restored, survivor
