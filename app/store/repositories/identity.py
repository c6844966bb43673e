"""Queries for identity resolution: blocking keys, source records, candidates, merges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.store.models import (
    BlockingKey,
    CandidateStatus,
    Customer,
    MatchCandidate,
    MergeJournal,
    SourceLink,
    SyncCheckpoint,
)
from app.store.types import utcnow

_IN_CHUNK = 400
T = TypeVar("T")


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


async def customers_by_keys(
    session: AsyncSession, *, keys: Sequence[str], max_per_key: int
) -> dict[str, set[str]]:
    """Customer ids holding each key; keys shared by more than `max_per_key` customers are left
    out (a shop's phone says nothing about who is who)."""
    found: dict[str, set[str]] = defaultdict(set)
    unique = sorted(set(keys))
    for chunk in _chunks(unique):
        crowded = select(col(BlockingKey.key)).where(col(BlockingKey.key).in_(chunk))
        crowded = crowded.group_by(col(BlockingKey.key)).having(func.count() > max_per_key)
        skip = set(await session.scalars(crowded))
        wanted = [key for key in chunk if key not in skip]
        if not wanted:
            continue
        rows = await session.execute(
            select(col(BlockingKey.key), col(BlockingKey.customer_id)).where(
                col(BlockingKey.key).in_(wanted)
            )
        )
        for key, customer_id in rows:
            found[key].add(customer_id)
    return found


async def keys_of(session: AsyncSession, *, customer_ids: Sequence[str]) -> dict[str, set[str]]:
    """Each customer's stored blocking keys."""
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(list(customer_ids)):
        rows = await session.execute(
            select(col(BlockingKey.customer_id), col(BlockingKey.key)).where(
                col(BlockingKey.customer_id).in_(chunk)
            )
        )
        for customer_id, key in rows:
            found[customer_id].add(key)
    return found


async def drop_blocking_keys(session: AsyncSession, *, customer_ids: Sequence[str]) -> None:
    """Forget these customers' blocking keys: the next import or sync indexes them afresh."""
    for chunk in _chunks(list(customer_ids)):
        await session.execute(delete(BlockingKey).where(col(BlockingKey.customer_id).in_(chunk)))


async def unindexed_customer_ids(
    session: AsyncSession, *, limit: int, after: str = ""
) -> list[str]:
    """Live customers without any blocking key (created outside ingest: seed, GraphQL), by id."""
    statement = (
        select(col(Customer.id))
        .where(
            col(Customer.id) > after,
            col(Customer.merged_into).is_(None),
            ~select(col(BlockingKey.id))
            .where(col(BlockingKey.customer_id) == col(Customer.id))
            .exists(),
        )
        .order_by(col(Customer.id))
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def link_counts(session: AsyncSession, *, customer_ids: Sequence[str]) -> dict[str, int]:
    """How many source identities each customer has."""
    counts: dict[str, int] = {}
    for chunk in _chunks(list(customer_ids)):
        rows = await session.execute(
            select(col(SourceLink.customer_id), func.count())
            .where(col(SourceLink.customer_id).in_(chunk))
            .group_by(col(SourceLink.customer_id))
        )
        counts.update((customer_id, int(count)) for customer_id, count in rows)
    return counts


async def links_by_identity(
    session: AsyncSession, *, system: str, external_ids: Sequence[str]
) -> dict[str, SourceLink]:
    """The links of these external ids of one system, by external id."""
    found: dict[str, SourceLink] = {}
    for chunk in _chunks(list(external_ids)):
        rows = await session.scalars(
            select(SourceLink).where(
                col(SourceLink.system) == system,
                col(SourceLink.external_id).in_(chunk),
            )
        )
        found.update((row.external_id, row) for row in rows)
    return found


async def rows_by_customer(
    session: AsyncSession, model: type[T], *, customer_ids: Sequence[str]
) -> dict[str, list[T]]:
    """Rows of a table with a `customer_id` column, grouped by customer, in id order."""
    grouped: dict[str, list[T]] = defaultdict(list)
    column = model.customer_id  # type: ignore[attr-defined]
    for chunk in _chunks(list(customer_ids)):
        rows = await session.scalars(
            select(model).where(column.in_(chunk)).order_by(model.id)  # type: ignore[attr-defined]
        )
        for row in rows:
            grouped[row.customer_id].append(row)  # type: ignore[attr-defined]
    return grouped


def _live_pending(min_score: float) -> Any:
    left, right = aliased(Customer), aliased(Customer)
    return (
        select(MatchCandidate)
        .join(left, col(left.id) == col(MatchCandidate.left_id))
        .join(right, col(right.id) == col(MatchCandidate.right_id))
        .where(
            col(MatchCandidate.status) == CandidateStatus.PENDING,
            col(MatchCandidate.score) >= min_score,
            col(left.merged_into).is_(None),
            col(right.merged_into).is_(None),
        )
    )


async def pending_candidates(
    session: AsyncSession, *, min_score: float, first: int, after: tuple[float, int] | None
) -> tuple[list[MatchCandidate], bool]:
    """A page of pending candidates between live customers, strongest first; and whether more."""
    statement = _live_pending(min_score)
    if after is not None:
        score, last_id = after
        statement = statement.where(
            tuple_(-col(MatchCandidate.score), col(MatchCandidate.id)) > tuple_(-score, last_id)
        )
    statement = statement.order_by(col(MatchCandidate.score).desc(), col(MatchCandidate.id))
    rows = list(await session.scalars(statement.limit(first + 1)))
    return rows[:first], len(rows) > first


async def count_pending_candidates(session: AsyncSession, *, min_score: float) -> int:
    """How many pending candidates between live customers score at least `min_score`."""
    subquery = _live_pending(min_score).subquery()
    return int((await session.execute(select(func.count()).select_from(subquery))).scalar_one())


async def get_checkpoint(session: AsyncSession, *, system: str) -> datetime | None:
    row = await session.get(SyncCheckpoint, system)
    return row.changed_since if row is not None else None


async def set_checkpoint(session: AsyncSession, *, system: str, changed_since: datetime) -> None:
    row = await session.get(SyncCheckpoint, system)
    if row is None:
        session.add(SyncCheckpoint(system=system, changed_since=changed_since))
    else:
        row.changed_since = changed_since
        row.updated_at = utcnow()


async def latest_merge(
    session: AsyncSession, *, customer_id: str, as_survivor: bool
) -> MergeJournal | None:
    """The newest merge not undone where the customer was the merged (or surviving) one."""
    column = col(MergeJournal.survivor_id) if as_survivor else col(MergeJournal.merged_id)
    statement = (
        select(MergeJournal)
        .where(column == customer_id, col(MergeJournal.undone_at).is_(None))
        .order_by(col(MergeJournal.id).desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def move_rows(
    session: AsyncSession, model: type[Any], *, from_customer: str, to_customer: str
) -> list[int]:
    """Give every row of `model` owned by one customer to another; returns the moved row ids."""
    column = model.customer_id
    ids = list(await session.scalars(select(model.id).where(column == from_customer)))
    for chunk in range(0, len(ids), _IN_CHUNK):
        await session.execute(
            update(model)
            .where(model.id.in_(ids[chunk : chunk + _IN_CHUNK]))
            .values(customer_id=to_customer)
        )
    return ids


async def reassign_rows(
    session: AsyncSession, model: type[Any], *, ids: Sequence[int], customer_id: str
) -> None:
    """Give the rows with these ids to `customer_id`."""
    for chunk in range(0, len(ids), _IN_CHUNK):
        await session.execute(
            update(model)
            .where(model.id.in_(list(ids[chunk : chunk + _IN_CHUNK])))
            .values(customer_id=customer_id)
        )


async def delete_rows(session: AsyncSession, model: type[Any], *, ids: Sequence[int]) -> None:
    """Delete the rows of `model` with these ids."""
    for chunk in range(0, len(ids), _IN_CHUNK):
        await session.execute(
            delete(model).where(model.id.in_(list(ids[chunk : chunk + _IN_CHUNK])))
        )


async def delete_customer_rows(
    session: AsyncSession, model: type[Any], *, customer_ids: Sequence[str]
) -> None:
    """Delete every row of `model` owned by these customers."""
    await session.execute(delete(model).where(model.customer_id.in_(list(customer_ids))))


async def insert_rows(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows given as column -> value (ids included when given)."""
    if rows:
        await session.execute(insert(model.__table__), list(rows))


async def pending_between(
    session: AsyncSession, *, first: str, second: str
) -> list[MatchCandidate]:
    """Candidates (any status) between two customers, in either order."""
    statement = select(MatchCandidate).where(
        or_(
            and_(col(MatchCandidate.left_id) == first, col(MatchCandidate.right_id) == second),
            and_(col(MatchCandidate.left_id) == second, col(MatchCandidate.right_id) == first),
        )
    )
    return list(await session.scalars(statement))
