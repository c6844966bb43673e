"""Queries on `search_key`: replacing a customer's keys, and ranked candidate lookup."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, TextClause, column, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import ContactPoint, Customer, SearchKey
from app.store.repositories.customers import consent_holds

_INSERT_CHUNK = 5_000


async def replace_keys(
    session: AsyncSession,
    *,
    customer_ids: Collection[str],
    keys: Mapping[str, Collection[tuple[str, str]]],
) -> None:
    """Drop every key of `customer_ids` and store `keys` (customer id -> (kind, key)) instead."""
    if not customer_ids:
        return
    await session.execute(delete(SearchKey).where(col(SearchKey.customer_id).in_(customer_ids)))
    rows = [
        {"customer_id": customer_id, "kind": kind, "key": key}
        for customer_id, pairs in keys.items()
        for kind, key in pairs
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        await session.execute(insert(SearchKey), rows[start : start + _INSERT_CHUNK])


def _candidates_sql(
    keys: Sequence[tuple[str, str, int]],
    *,
    per_key_limit: int,
    broad_kinds: Collection[str],
    broad_key_limit: int,
    limit: int,
) -> TextClause:
    params: dict[str, Any] = {"limit": limit}
    parts = []
    for i, (kind, key, weight) in enumerate(keys):
        cap = broad_key_limit if kind in broad_kinds else per_key_limit
        params.update({f"k{i}": kind, f"v{i}": key, f"n{i}": cap})
        parts.append(
            f"SELECT h{i}.customer_id, {int(weight)} AS weight FROM (SELECT customer_id"
            f" FROM search_key WHERE kind = :k{i} AND key = :v{i} LIMIT :n{i}) AS h{i}"
        )
    return text(
        "SELECT hits.customer_id FROM (" + " UNION ALL ".join(parts) + ") AS hits"
        " GROUP BY hits.customer_id ORDER BY sum(hits.weight) DESC, hits.customer_id"
        " LIMIT :limit"
    ).bindparams(**params)


async def search_candidates(
    session: AsyncSession,
    *,
    keys: Sequence[tuple[str, str, int]],
    per_key_limit: int,
    broad_kinds: Collection[str] = (),
    broad_key_limit: int = 0,
    limit: int,
    consent_purpose: str | None = None,
    now: datetime | None = None,
) -> list[tuple[Customer, list[Any]]]:
    """The customers holding the most weight of `keys` ((kind, key, weight)), each with its
    contact values, in one statement.

    Each key contributes at most `per_key_limit` customers (`broad_key_limit` for a kind in
    `broad_kinds`), so a common family name costs a bounded read however large the store
    grows; at most `limit` customers come back. Tombstones are left out, and so is anyone
    whose consent for `consent_purpose` does not hold at `now`. One round trip: on SQLite
    each statement is a hop to the driver's thread, and those hops were most of a search's
    time. The key union is plain SQL: building it with the expression language cost more
    than running it.
    """
    if not keys:
        return []
    wanted = _candidates_sql(
        keys,
        per_key_limit=per_key_limit,
        broad_kinds=broad_kinds,
        broad_key_limit=broad_key_limit,
        limit=limit,
    ).columns(column("customer_id", String))
    statement = (
        select(
            Customer,
            col(ContactPoint.kind),
            col(ContactPoint.value),
            col(ContactPoint.city),
            col(ContactPoint.postcode),
        )
        .outerjoin(ContactPoint, col(ContactPoint.customer_id) == col(Customer.id))
        .where(col(Customer.id).in_(wanted), col(Customer.merged_into).is_(None))
    )
    if consent_purpose is not None:
        assert now is not None
        statement = statement.where(consent_holds(consent_purpose, None, now))
    found: dict[str, tuple[Customer, list[Any]]] = {}
    for row in await session.execute(statement):
        customer = row[0]
        entry = found.setdefault(customer.id, (customer, []))
        if row.kind is not None:
            entry[1].append(row)
    return list(found.values())


async def searchable_values(
    session: AsyncSession,
    *,
    customer_ids: Sequence[str],
) -> tuple[list[Any], dict[str, list[Any]]]:
    """Names of the live customers among `customer_ids` and their contact values (plain rows,
    for computing their keys); tombstones (merged customers) are left out."""
    if not customer_ids:
        return [], {}
    people = select(
        col(Customer.id),
        col(Customer.given_name),
        col(Customer.middle_name),
        col(Customer.family_name),
        col(Customer.loyalty_id),
    ).where(col(Customer.id).in_(customer_ids), col(Customer.merged_into).is_(None))
    customers = list((await session.execute(people)).all())
    live = [row.id for row in customers]
    contacts: dict[str, list[Any]] = defaultdict(list)
    if live:
        statement = select(
            col(ContactPoint.customer_id),
            col(ContactPoint.kind),
            col(ContactPoint.value),
            col(ContactPoint.city),
            col(ContactPoint.postcode),
        ).where(col(ContactPoint.customer_id).in_(live))
        for row in await session.execute(statement):
            contacts[row.customer_id].append(row)
    return customers, contacts


async def customer_id_page(session: AsyncSession, *, after: str | None, limit: int) -> list[str]:
    """Up to `limit` customer ids after `after`, in id order (for rebuilding the index)."""
    statement = select(col(Customer.id)).order_by(col(Customer.id)).limit(limit)
    if after is not None:
        statement = statement.where(col(Customer.id) > after)
    return list(await session.scalars(statement))
