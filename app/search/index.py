"""Keeping the search index in step with the master store: one call after any write."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.search.keys import SearchableCustomer, customer_keys
from app.store.db import Database
from app.store.repositories import search_keys as repo


def searchable(row: Any, contacts: Sequence[Any]) -> SearchableCustomer:
    """A customer's searchable values from its plain name row and contact rows."""
    return SearchableCustomer(
        customer_id=row.id,
        given_name=row.given_name,
        middle_name=row.middle_name,
        family_name=row.family_name,
        loyalty_id=row.loyalty_id,
        emails=tuple(c.value for c in contacts if c.kind == "email"),
        phones=tuple(c.value for c in contacts if c.kind == "phone"),
        cities=tuple(c.city for c in contacts if c.kind == "address" and c.city),
        postcodes=tuple(c.postcode for c in contacts if c.kind == "address" and c.postcode),
    )


async def refresh_search_keys(session: AsyncSession, customer_ids: Iterable[str]) -> None:
    """Recompute the search keys of these customers from what `session` sees now.

    Call it inside the transaction of every write that changes a customer's names, loyalty id
    or contact points, or merges it away (a tombstone loses its keys and drops out of search).
    """
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return
    await session.flush()
    people, contacts = await repo.searchable_values(session, customer_ids=ids)
    keys = {row.id: customer_keys(searchable(row, contacts.get(row.id, []))) for row in people}
    await repo.replace_keys(session, customer_ids=ids, keys=keys)


async def rebuild_search_index(
    db: Database, *, batch: int = 1000, on_progress: Callable[[int], None] = lambda _n: None
) -> int:
    """Recompute every customer's keys, a batch per transaction (for stores older than the
    index, or after the key derivation changes); returns the customers visited."""
    visited, after = 0, None
    while True:
        async with db.transaction() as session:
            ids = await repo.customer_id_page(session, after=after, limit=batch)
            await refresh_search_keys(session, ids)
        if not ids:
            return visited
        visited += len(ids)
        after = ids[-1]
        on_progress(len(ids))
