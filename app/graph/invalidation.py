"""Forgetting a customer's cached source data, for the privacy code (consent change, erasure)."""

from __future__ import annotations

from collections.abc import Iterable

from app.graph.customer_graph import CustomerGraph, Identity
from app.store.db import Database
from app.store.repositories.source_links import links_by_customer


async def invalidate_customer(
    graph: CustomerGraph, db: Database, customer_id: str, *, identities: Iterable[Identity] = ()
) -> None:
    """Drop every cached kind of the customer's linked identities, and of `identities`.

    Pass `identities` when the links are about to go (erasure, unmerge) or are already gone.
    """
    async with db.session() as session:
        links = await links_by_customer(session, customer_ids=[customer_id])
    linked = [(link.system, link.external_id) for link in links.get(customer_id, [])]
    await graph.invalidate_customer([*linked, *identities])
