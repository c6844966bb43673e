"""Keeping what is derived from a customer in step with a write to its names, ids, groups or
contact points, and appending the write's change-log entries: one call, so no write path
forgets one of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.change_log import Change, record_changes
from app.search.index import refresh_search_keys
from app.store.repositories import identity as identity_repo
from app.store.repositories.acquisitions import refresh_lost
from app.store.repositories.metric_dimensions import refresh_dimensions


async def customers_written(
    session: AsyncSession, customer_ids: Sequence[str], *, changes: Sequence[Change] = ()
) -> None:
    """Within the write's transaction: the change log, search keys, the summary groups of the
    current metric values and who of them is lost (lifecycle stage `past`) now; blocking keys
    (for import and sync matching) are dropped and rebuilt from the new values at the start of
    the next run. `changes` go to the change log."""
    await record_changes(session, changes)
    await refresh_search_keys(session, customer_ids)
    await refresh_dimensions(session, customer_ids)
    await refresh_lost(session, customer_ids)
    await identity_repo.drop_blocking_keys(session, customer_ids=customer_ids)
