"""Batched reads for the customer graph: one call per list of customer ids, results in key order.

These back the per-request DataLoaders, so a page of 50 customers costs one query per kind of
data, not 50.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.quality.report import CustomerQuality, quality_of_customers
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
from app.store.repositories import contact_points, customers, identity, source_links, timelines

T = TypeVar("T")


class RequestEndedError(RuntimeError):
    """A read asked for after its request's reader was closed."""


class CustomerReader:
    """Reads the master store for many customers at once, for one request.

    All reads of a request share one session: loaders that fire together take turns on it.
    The connection goes back to the pool after every read, so a request waiting on a slow
    source system holds none (holding one while also needing another, e.g. for the audit
    write, let ten slow requests exhaust a pool of ten). Call `close` when the request ends.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    async def _read(self, fetch: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self._lock:
            if self._closed:
                # A loader batch that starts after its request answered (its caller gave up
                # when a sibling field failed): nobody wants the rows, and the session is gone.
                raise RequestEndedError("the request has ended; its reads are over")
            if self._session is None:
                self._session = self.db.new_session()
            try:
                return await fetch(self._session)
            finally:
                # Detach the rows first: a rollback would expire them, and an expired row
                # read later would try a lazy load outside of any session.
                self._session.expunge_all()
                await self._session.rollback()

    async def _for_keys(
        self,
        keys: Sequence[str],
        fetch: Callable[[AsyncSession], Awaitable[Mapping[str, T]]],
        missing: Callable[[], T],
    ) -> list[T]:
        found = await self._read(fetch)
        return [found[key] if key in found else missing() for key in keys]

    async def close(self) -> None:
        """Release the request's session (and its connection) once the read in progress, if
        any, is over; reads asked for later raise `RequestEndedError`."""
        async with self._lock:
            self._closed = True
            if self._session is not None:
                session, self._session = self._session, None
                await session.close()

    async def customers(self, ids: Sequence[str]) -> list[Customer | None]:
        """Live customers for ids (merged ids give their survivor; unknown ids give None)."""
        return await self._for_keys(
            ids, lambda s: customers.resolve_survivors(s, ids=list(set(ids))), lambda: None
        )

    async def contact_points(self, ids: Sequence[str]) -> list[list[ContactPoint]]:
        return await self._for_keys(
            ids, lambda s: contact_points.contact_points_by_customer(s, customer_ids=ids), list
        )

    async def source_links(self, ids: Sequence[str]) -> list[list[SourceLink]]:
        return await self._for_keys(
            ids, lambda s: source_links.links_by_customer(s, customer_ids=ids), list
        )

    async def metric_values(self, ids: Sequence[str]) -> list[list[MetricObservation]]:
        """Current and previous observation of each metric, newest first within a metric."""
        return await self._for_keys(
            ids, lambda s: timelines.metric_values_by_customer(s, customer_ids=ids), list
        )

    async def current_consents(self, ids: Sequence[str]) -> list[list[ConsentEvent]]:
        return await self._for_keys(
            ids, lambda s: timelines.current_consents_by_customer(s, customer_ids=ids), list
        )

    async def consent_histories(self, ids: Sequence[str]) -> list[list[ConsentEvent]]:
        return await self._for_keys(
            ids, lambda s: timelines.consent_history_by_customer(s, customer_ids=ids), list
        )

    async def preferences(self, ids: Sequence[str]) -> list[Preference | None]:
        return await self._for_keys(
            ids, lambda s: timelines.preferences_by_customer(s, customer_ids=ids), lambda: None
        )

    async def interaction_pages(
        self,
        ids: Sequence[str],
        *,
        first: int,
        after: tuple[datetime, int] | None,
        channels: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> list[list[Interaction]]:
        """Up to `first + 1` interactions per customer (the extra one tells if more exist)."""
        return await self._for_keys(
            ids,
            lambda s: timelines.interaction_pages_by_customer(
                s, customer_ids=ids, first=first, after=after, channels=channels, since=since
            ),
            list,
        )

    async def metric_history(self, customer_id: str, **query: Any) -> list[MetricObservation]:
        return await self._read(
            lambda s: timelines.metric_history(s, customer_id=customer_id, **query)
        )

    async def provenance(self, ids: Sequence[str]) -> list[list[FieldProvenance]]:
        """Where each golden field's value came from (survivorship lineage)."""
        return await self._for_keys(
            ids, lambda s: identity.rows_by_customer(s, FieldProvenance, customer_ids=ids), list
        )

    async def quality(self, ids: Sequence[str]) -> list[CustomerQuality | None]:
        """Each customer's quality summary (None for an unknown id)."""

        async def fetch(session: AsyncSession) -> dict[str, CustomerQuality]:
            rows = await customers.get_customers(session, ids=list(set(ids)))
            found = list(rows.values())
            return dict(zip(rows, await quality_of_customers(session, found), strict=True))

        return await self._for_keys(ids, fetch, lambda: None)
