"""Per-request DataLoaders over the batched reads of `app.customers.reads`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from strawberry.dataloader import DataLoader

from app.customers.reads import CustomerReader
from app.quality.report import CustomerQuality
from app.store.db import Database
from app.store.models import (
    ConsentEvent,
    ContactPoint,
    Customer,
    FieldProvenance,
    Interaction,
    MetricObservation,
    Preference,
    SourceLink,
)

# (customer id, page size, keyset position, channels, since)
InteractionPageKey = tuple[
    str, int, tuple[datetime, int] | None, tuple[str, ...] | None, datetime | None
]
PageWindow = tuple[int, tuple[datetime, int] | None, tuple[str, ...] | None, datetime | None]


class CustomerLoaders:
    """One loader per kind of customer data, named `<Entity>By<Key>`."""

    def __init__(self, db: Database) -> None:
        reader = CustomerReader(db)
        self.customer_by_id = DataLoader[str, Customer | None](load_fn=reader.customers)
        self.contact_points_by_customer_id = DataLoader[str, list[ContactPoint]](
            load_fn=reader.contact_points
        )
        self.source_links_by_customer_id = DataLoader[str, list[SourceLink]](
            load_fn=reader.source_links
        )
        self.metric_values_by_customer_id = DataLoader[str, list[MetricObservation]](
            load_fn=reader.metric_values
        )
        self.consents_by_customer_id = DataLoader[str, list[ConsentEvent]](
            load_fn=reader.current_consents
        )
        self.consent_history_by_customer_id = DataLoader[str, list[ConsentEvent]](
            load_fn=reader.consent_histories
        )
        self.preferences_by_customer_id = DataLoader[str, Preference | None](
            load_fn=reader.preferences
        )

        async def interaction_pages(keys: Sequence[InteractionPageKey]) -> list[list[Interaction]]:
            # Keys asking for the same page window share one windowed query.
            groups: dict[PageWindow, list[str]] = {}
            for customer_id, *window in keys:
                groups.setdefault(tuple(window), []).append(customer_id)  # type: ignore[arg-type]
            pages: dict[InteractionPageKey, list[Interaction]] = {}
            for (first, after, channels, since), ids in groups.items():
                rows = await reader.interaction_pages(
                    ids, first=first, after=after, channels=channels, since=since
                )
                for customer_id, page in zip(ids, rows, strict=True):
                    pages[(customer_id, first, after, channels, since)] = page
            return [pages[key] for key in keys]

        self.interaction_page_by_customer_id = DataLoader[InteractionPageKey, list[Interaction]](
            load_fn=interaction_pages
        )
        self.reader = reader
        self.provenance_by_customer_id = DataLoader[str, list[FieldProvenance]](
            load_fn=reader.provenance
        )
        self.quality_by_customer_id = DataLoader[str, CustomerQuality | None](
            load_fn=reader.quality
        )
