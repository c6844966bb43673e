"""Batched reads for the customer graph: one call per list of keys, results in key order.

These back the per-request DataLoaders. Every kind of a customer's data asked for in the same
tick (contact points, identities, metrics, consents, preferences, interactions) is read in
one batch: one connection, one trip (`Database.read`), Core statements built once, immutable
rows out. Nothing is held between batches, so a request waiting on a slow source system holds
no connection.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from app.quality.report import CustomerQuality, quality_of_customers
from app.store.db import Database
from app.store.models import FieldProvenance, MetricObservation
from app.store.repositories import customer_rows, customers, identity, timelines
from app.store.repositories.customer_rows import CustomerRow


class Part(StrEnum):
    """A kind of a customer's data, read by customer id."""

    CONTACT_POINTS = "contact_points"
    SOURCE_LINKS = "source_links"
    METRIC_VALUES = "metric_values"
    CURRENT_CONSENTS = "current_consents"
    CONSENT_HISTORY = "consent_history"
    PREFERENCES = "preferences"
    INTERACTIONS = "interactions"


# (part, customer id, the part's window: only interactions have one)
PartKey = tuple[Part, str, Hashable]
_Reader = Callable[[Connection, Sequence[str], Any], dict[str, Any]]
_READERS: dict[Part, _Reader] = {
    Part.CONTACT_POINTS: lambda c, ids, _: customer_rows.contact_points(c, ids),
    Part.SOURCE_LINKS: lambda c, ids, _: customer_rows.source_links(c, ids),
    Part.METRIC_VALUES: lambda c, ids, _: customer_rows.metric_values(c, ids),
    Part.CURRENT_CONSENTS: lambda c, ids, _: customer_rows.current_consents(c, ids),
    Part.CONSENT_HISTORY: lambda c, ids, _: customer_rows.consent_histories(c, ids),
    Part.PREFERENCES: lambda c, ids, _: customer_rows.preferences(c, ids),
    Part.INTERACTIONS: lambda c, ids, window: customer_rows.interaction_pages(
        c, ids, first=window[0], after=window[1], channels=window[2], since=window[3]
    ),
}
# What a customer without rows of a part gets.
_MISSING: dict[Part, Callable[[], Any]] = dict.fromkeys(Part, list) | {
    Part.PREFERENCES: lambda: None
}


class CustomerReader:
    """Reads the master store for many customers at once, for one request."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def customers(self, ids: Sequence[str]) -> list[CustomerRow | None]:
        """Live customers for ids (merged ids give their survivor; unknown ids give None)."""
        found = await self.db.read(lambda c: customer_rows.live_customers(c, ids))
        return [found.get(key) for key in ids]

    async def parts(self, keys: Sequence[PartKey]) -> list[Any]:
        """Every asked part of every asked customer, in one trip to the store."""
        groups: dict[tuple[Part, Hashable], list[str]] = {}
        for part, customer_id, window in keys:
            groups.setdefault((part, window), []).append(customer_id)

        def read(connection: Connection) -> dict[tuple[Part, Hashable], dict[str, Any]]:
            return {
                (part, window): _READERS[part](connection, ids, window)
                for (part, window), ids in groups.items()
            }

        found = await self.db.read(read)
        return [
            found[(part, window)].get(customer_id) or _MISSING[part]()
            for part, customer_id, window in keys
        ]

    async def metric_history(self, customer_id: str, **query: Any) -> list[MetricObservation]:
        async with self.db.session() as session:
            return await timelines.metric_history(session, customer_id=customer_id, **query)

    async def provenance(self, ids: Sequence[str]) -> list[list[FieldProvenance]]:
        """Where each golden field's value came from (survivorship lineage)."""
        async with self.db.session() as session:
            found = await identity.rows_by_customer(session, FieldProvenance, customer_ids=ids)
        return [found.get(key) or [] for key in ids]

    async def quality(self, ids: Sequence[str]) -> list[CustomerQuality | None]:
        """Each customer's quality summary (None for an unknown id)."""
        async with self.db.session() as session:
            rows = await customers.get_customers(session, ids=list(set(ids)))
            qualities = await quality_of_customers(session, list(rows.values()))
        found = dict(zip(rows, qualities, strict=True))
        return [found.get(key) for key in ids]
