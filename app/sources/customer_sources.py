"""One request's view of the source systems: batched loaders per system and kind.

Loaders are built per request (never module-level: their cache would leak answers across
requests and callers). Every customer asking for one kind in the same tick shares one batch
per system, so a page of 50 customers makes one batch call per system and kind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Sequence
from datetime import datetime

from strawberry.dataloader import DataLoader

from app.graph.customer_graph import CustomerGraph, unconfigured_answer
from app.graph.kinds import SourceKind
from app.graph.reports import CustomerSourceData, KindData, SourceAnswer, SourceReport, worst_report
from app.store.repositories.customer_rows import LinkRow
from connectors.errors import SourceStatus

SourceLoader = DataLoader[str, SourceAnswer]


class CustomerSources:
    """The request's source loaders, and customers' data of a kind through them."""

    def __init__(self, graph: CustomerGraph) -> None:
        self.graph = graph
        # Source budgets run from the request's start (RELIABILITY 18: the whole answer
        # arrives within the source's timeout, not the timeout plus the master-store reads).
        self._started = time.monotonic()
        self._loaders: dict[tuple[str, SourceKind], SourceLoader] = {}
        # (customer id, system) -> when its oldest stale copy served here was fetched.
        self.stale: dict[tuple[str, str], datetime | None] = {}

    def _loader(self, system: str, kind: SourceKind) -> SourceLoader:
        loader = self._loaders.get((system, kind))
        if loader is None:
            graph, started = self.graph, self._started

            async def load(ids: Sequence[str]) -> list[SourceAnswer]:
                answers = await graph.fetch(system, kind, ids, started=started)
                return [answers[external_id] for external_id in ids]

            loader = self._loaders[(system, kind)] = DataLoader(load_fn=load)
        return loader

    async def for_customer(self, kind: SourceKind, links: Sequence[LinkRow]) -> KindData:
        """One customer's data of `kind`, over every linked system that serves it."""
        systems = self.graph.systems_serving(kind, (link.system for link in links))
        parts = await asyncio.gather(*(self._of_system(system, kind, links) for system in systems))
        return self.graph.merge(kind, parts)

    async def _of_system(
        self, system: str, kind: SourceKind, links: Sequence[LinkRow]
    ) -> CustomerSourceData:
        ids = [link.external_id for link in links if link.system == system]
        if not self.graph.is_configured(system):
            # Answered here, without a loader, a task or a batch: a customer page on a gateway
            # with no source configured still asks every linked system for its timeline.
            return self.graph.combine(system, kind, ids, [unconfigured_answer(system)] * len(ids))
        answers = await self._loader(system, kind).load_many(ids)
        data = self.graph.combine(system, kind, ids, answers)
        if data.report.status is SourceStatus.STALE:
            self._served_stale(links[0].customer_id, data.report)
        return data

    def _served_stale(self, customer_id: str, report: SourceReport) -> None:
        key = (customer_id, report.system)
        known = self.stale.get(key)
        fetched = report.fetched_at
        self.stale[key] = fetched if known is None or (fetched and fetched < known) else known

    async def kinds_for_customer(
        self, kinds: Sequence[SourceKind], links: Sequence[LinkRow]
    ) -> dict[SourceKind, KindData]:
        """Several kinds of one customer, fetched concurrently."""
        found = await asyncio.gather(*(self.for_customer(kind, links) for kind in kinds))
        return dict(zip(kinds, found, strict=True))

    async def reports(
        self, links: Sequence[LinkRow], requested: Collection[SourceKind]
    ) -> list[SourceReport]:
        """A report per source system: how the kinds this request asked of it answered.

        A linked system the request asked nothing of is probed with its lightest kind, so
        `sources` alone still says whether each system answers for this customer.
        """
        linked = list(dict.fromkeys(link.system for link in links))
        plans = {}
        for system in linked:
            served = self.graph.kinds_of(system)
            plans[system] = [k for k in requested if k in served] or list(served[:1])
        parts = await asyncio.gather(
            *(
                self._of_system(system, kind, links)
                for system, plan in plans.items()
                for kind in plan
            )
        )
        by_system: dict[str, list[SourceReport]] = {}
        for part in parts:
            by_system.setdefault(part.system, []).append(part.report)
        return [
            worst_report(system, by_system.get(system, []))
            for system in self.graph.reported_systems()
        ]
