"""Forgetting customers' cached source data: privacy (consent change, erasure), upstream changes."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from app.graph.customer_graph import CustomerGraph, Identity
from app.store.db import Database
from app.store.repositories.source_links import links_by_customer


async def invalidate_customer(
    graph: CustomerGraph, db: Database, customer_id: str, *, identities: Iterable[Identity] = ()
) -> None:
    """Drop every cached kind of the customer's linked identities, and of `identities`.

    Pass `identities` when the links are about to go (erasure, unmerge) or are already gone.
    """
    await invalidate_customers(graph, db, [customer_id], identities=identities)


async def invalidate_customers(
    graph: CustomerGraph,
    db: Database,
    customer_ids: Collection[str],
    *,
    identities: Iterable[Identity] = (),
) -> None:
    """`invalidate_customer` for several customers: one read of their links."""
    async with db.session() as session:
        links = await links_by_customer(session, customer_ids=list(customer_ids))
    linked = [(link.system, link.external_id) for rows in links.values() for link in rows]
    await graph.invalidate_customer([*linked, *identities])
