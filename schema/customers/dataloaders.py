"""Per-request DataLoaders over the batched reads of `app.customers.reads`."""

from __future__ import annotations

from collections.abc import Awaitable, Hashable
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from app.customers.reads import CustomerReader, Part, PartKey
from app.quality.report import CustomerQuality
from app.store.db import Database
from app.store.models import FieldProvenance
from app.store.repositories.customer_rows import CustomerRow

T = TypeVar("T")
Rows = list[Any]  # named-tuple records (app.store.repositories.customer_rows)


class PartLoader(Generic[T]):
    """One kind of customer data by customer id, through the request's shared parts loader.

    Every part asked for in the same tick, of any kind, lands in one batch and one trip.
    """

    def __init__(self, parts: DataLoader[PartKey, Any], part: Part) -> None:
        self._parts = parts
        self._part = part

    def load(self, customer_id: str, window: Hashable = None) -> Awaitable[T]:
        return self._parts.load((self._part, customer_id, window))

    def load_many(self, customer_ids: list[str]) -> Awaitable[list[T]]:
        return self._parts.load_many([(self._part, key, None) for key in customer_ids])


class CustomerLoaders:
    """One loader per kind of customer data, named `<Entity>By<Key>`."""

    def __init__(self, db: Database) -> None:
        reader = CustomerReader(db)
        self.reader = reader
        self.customer_by_id = DataLoader[str, CustomerRow | None](load_fn=reader.customers)
        parts = DataLoader[PartKey, Any](load_fn=reader.parts)
        self.contact_points_by_customer_id = PartLoader[Rows](parts, Part.CONTACT_POINTS)
        self.source_links_by_customer_id = PartLoader[Rows](parts, Part.SOURCE_LINKS)
        self.metric_values_by_customer_id = PartLoader[Rows](parts, Part.METRIC_VALUES)
        self.consents_by_customer_id = PartLoader[Rows](parts, Part.CURRENT_CONSENTS)
        self.consent_history_by_customer_id = PartLoader[Rows](parts, Part.CONSENT_HISTORY)
        self.preferences_by_customer_id = PartLoader[Any](parts, Part.PREFERENCES)
        # window: (page size, keyset position, channels, since)
        self.interaction_page_by_customer_id = PartLoader[Rows](parts, Part.INTERACTIONS)
        self.provenance_by_customer_id = DataLoader[str, list[FieldProvenance]](
            load_fn=reader.provenance
        )
        self.quality_by_customer_id = DataLoader[str, CustomerQuality | None](
            load_fn=reader.quality
        )
