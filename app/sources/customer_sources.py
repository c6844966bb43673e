"""Per-request DataLoaders of source data: one per system and kind, batching external ids.

Loaders are built per request in the context (never module-level: their cache would leak
answers across requests and callers). Every customer asking for one kind in the same tick
shares one batch, so a page of 50 customers makes one batch call per system and kind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import ClassVar

from strawberry.dataloader import DataLoader

from app.graph import (
    KINDS,
    PROBE_KINDS,
    SOURCE_SYSTEMS,
    CustomerGraph,
    CustomerSourceData,
    SourceAnswer,
    SourceKind,
    SourceReport,
)
from app.graph.customer_graph import unconfigured_answer
from app.graph.reports import worst_report
from app.store.repositories.customer_rows import LinkRow
from connectors.errors import SourceStatus


class SourceLoader(DataLoader[str, SourceAnswer]):
    """Answers of one kind by external id, fetched through the graph (cache, budget)."""

    kind: ClassVar[SourceKind]

    def __init__(self, graph: CustomerGraph, started: float) -> None:
        async def load(ids: Sequence[str]) -> list[SourceAnswer]:
            answers = await graph.fetch(self.kind, ids, started=started)
            return [answers[external_id] for external_id in ids]

        super().__init__(load_fn=load)


class OdooPartnerByIdLoader(SourceLoader):
    kind = SourceKind.ERP_PARTNER


class OdooOrdersByPartnerIdLoader(SourceLoader):
    kind = SourceKind.ERP_ORDERS


class OdooInvoicesByPartnerIdLoader(SourceLoader):
    kind = SourceKind.ERP_INVOICES


class HubspotContactByIdLoader(SourceLoader):
    kind = SourceKind.CRM_CONTACT


class HubspotTicketsByContactIdLoader(SourceLoader):
    kind = SourceKind.CRM_TICKETS


class HubspotEngagementsByContactIdLoader(SourceLoader):
    kind = SourceKind.CRM_ENGAGEMENTS


class SurveymonkeyResponsesByContactIdLoader(SourceLoader):
    kind = SourceKind.SURVEY_RESPONSES


LOADER_CLASSES: tuple[type[SourceLoader], ...] = (
    OdooPartnerByIdLoader,
    OdooOrdersByPartnerIdLoader,
    OdooInvoicesByPartnerIdLoader,
    HubspotContactByIdLoader,
    HubspotTicketsByContactIdLoader,
    HubspotEngagementsByContactIdLoader,
    SurveymonkeyResponsesByContactIdLoader,
)


class SourceLoaders:
    """The request's source loaders, and a customer's data of a kind through them."""

    def __init__(self, graph: CustomerGraph) -> None:
        self.graph = graph
        # Source budgets run from the request's start (RELIABILITY 18: the whole answer
        # arrives within the source's timeout, not the timeout plus the master-store reads).
        started = time.monotonic()
        self.by_kind: dict[SourceKind, SourceLoader] = {
            cls.kind: cls(graph, started) for cls in LOADER_CLASSES
        }
        # (customer id, system) -> when its oldest stale copy served here was fetched.
        self.stale: dict[tuple[str, str], datetime | None] = {}

    async def for_customer(self, kind: SourceKind, links: Sequence[LinkRow]) -> CustomerSourceData:
        """One customer's data of `kind`, merged over its identities in the kind's system."""
        local = self._without_call(kind, links)
        if local is not None:
            return local
        system = KINDS[kind].system
        ids = [link.external_id for link in links if link.system == system]
        answers = await self.by_kind[kind].load_many(ids)
        data = self.graph.combine(kind, ids, answers)
        if data.report.status is SourceStatus.STALE:
            self._served_stale(links[0].customer_id, data.report)
        return data

    def _served_stale(self, customer_id: str, report: SourceReport) -> None:
        key = (customer_id, report.system)
        known = self.stale.get(key)
        fetched = report.fetched_at
        self.stale[key] = fetched if known is None or (fetched and fetched < known) else known

    def _without_call(
        self, kind: SourceKind, links: Sequence[LinkRow]
    ) -> CustomerSourceData | None:
        """The data of `kind` when no call can be made: not linked, or no connector.

        Answered here, without a loader, a task or a batch: a customer page on a gateway with
        no source configured still asks every linked system for its timeline.
        """
        system = KINDS[kind].system
        ids = [link.external_id for link in links if link.system == system]
        if not ids:
            return self.graph.combine(kind, ids, [])
        if not self.graph.is_configured(system):
            return self.graph.combine(kind, ids, [unconfigured_answer(system)] * len(ids))
        return None

    async def kinds_for_customer(
        self, kinds: Sequence[SourceKind], links: Sequence[LinkRow]
    ) -> dict[SourceKind, CustomerSourceData]:
        """Several kinds of one customer, the ones that need a call fetched concurrently."""
        found = {kind: self._without_call(kind, links) for kind in kinds}
        calls = [kind for kind, data in found.items() if data is None]
        if calls:
            fetched = await asyncio.gather(*(self.for_customer(kind, links) for kind in calls))
            found.update(zip(calls, fetched, strict=True))
        return found  # type: ignore[return-value]

    async def reports(
        self, links: Sequence[LinkRow], requested: Collection[SourceKind]
    ) -> list[SourceReport]:
        """A report per source system: how the kinds this request asked of it answered.

        A linked system the request asked nothing of is probed with its lightest kind, so
        `sources` alone still says whether each system answers for this customer.
        """
        linked = {link.system for link in links}
        plans = {
            system: [k for k in requested if KINDS[k].system == system] or [PROBE_KINDS[system]]
            for system in SOURCE_SYSTEMS
            if system in linked
        }
        kinds = list(dict.fromkeys(kind for plan in plans.values() for kind in plan))
        data = await self.kinds_for_customer(kinds, links)
        return [
            worst_report(system, [data[kind].report for kind in plans.get(system, [])])
            for system in SOURCE_SYSTEMS
        ]
