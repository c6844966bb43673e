"""Per-request loaders of the change log (built in the request's context, never shared)."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from app.quality.decay import stale_fields
from app.settings import Settings
from app.store.db import Database
from app.store.models import CustomerChange
from app.store.repositories import changes as repo


class HistoryLoaders:
    """`changes_by_customer_id`: a customer's whole change log, oldest first;
    `stale_fields_by_customer_id`: its contact kinds neither verified nor changed lately."""

    def __init__(self, db: Database, settings: Settings) -> None:
        async def changes(keys: Sequence[str]) -> list[list[CustomerChange]]:
            async with db.session() as session:
                found = await repo.changes_by_customer(session, customer_ids=list(keys))
            return [found.get(key, []) for key in keys]

        self.changes_by_customer_id = DataLoader[str, list[CustomerChange]](load_fn=changes)

        async def stale(keys: Sequence[str]) -> list[list[str]]:
            found = await stale_fields(db, settings, list(keys))
            return [found[key] for key in keys]

        self.stale_fields_by_customer_id = DataLoader[str, list[str]](load_fn=stale)
