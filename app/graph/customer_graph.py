"""CustomerGraph: source data for many customers, fetched concurrently, cached, never failing.

A kind of data (orders, tickets, ...) comes from every linked system that serves it: two CRMs
both give tickets, merged newest first, each naming its system. Each kind is fetched as one
batch per system (the connector chunks it to the vendor's limits)
under that system's time budget (`timeouts.budget` of its connector settings). A fresh cache
entry is served without a call; when a call fails, entries within the stale-if-error window
are served and flagged STALE; anything else reports the failure. Exceptions never escape:
one failing system never fails another.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import structlog

from app.cache import CacheKey, CachePolicy, SourceCache
from app.graph.kinds import KINDS, SourceKind
from app.graph.reports import (
    CustomerSourceData,
    KindData,
    SourceAnswer,
    SourceReport,
    worst_report,
)
from connectors.base import Connector
from connectors.config import ConnectorSettings
from connectors.errors import ConnectorError, SourceStatus, SourceTimeoutError
from connectors.registry import CONNECTOR_TYPES, kinds_of_type

log = structlog.get_logger("c360.graph")

Identity = tuple[str, str]  # (system, external id): one row of the crosswalk


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def unconfigured_answer(system: str) -> SourceAnswer:
    """The answer for any id of a system that has no connector: nothing can be called."""
    return SourceAnswer(
        None, SourceReport(system, SourceStatus.ERROR, detail="no connector configured")
    )


class CustomerGraph:
    """The gateway's view of every source system, shared by all requests of the app."""

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        settings: Mapping[str, ConnectorSettings],
        cache: SourceCache,
    ) -> None:
        self.connectors = dict(connectors)
        self.settings = dict(settings)
        self.cache = cache

    @property
    def clock(self) -> Callable[[], float]:
        """The wall clock cache ages are measured with (the cache's)."""
        return self.cache.clock

    def is_configured(self, system: str) -> bool:
        """True when `system` has a connector."""
        return system in self.connectors

    def kinds_of(self, system: str) -> tuple[SourceKind, ...]:
        """The kinds `system` serves: its connector's, or for a linked system with no
        connector, those of the type of the same name (a link to "odoo" is an Odoo's)."""
        connector = self.connectors.get(system)
        return connector.serves if connector is not None else kinds_of_type(system)

    def systems_serving(self, kind: SourceKind, systems: Iterable[str]) -> list[str]:
        """Those of `systems` that serve `kind`, in the order given, each once."""
        return [s for s in dict.fromkeys(systems) if kind in self.kinds_of(s)]

    def reported_systems(self) -> list[str]:
        """The systems `sources` reports on: every connected one (in the connectors file's
        order), then every known type's default name (a link to one with no connector is
        reported as such). Links to anything else (an imported list's ids) are no source."""
        coded = [name for name, described in CONNECTOR_TYPES.items() if described.serves]
        return list(dict.fromkeys([*self.connectors, *coded]))

    def budget(self, system: str) -> float:
        """Seconds `system` may take for one batch, retries included."""
        return self.settings[system].timeouts.budget

    def _policy(self, system: str) -> CachePolicy:
        cache = self.settings[system].cache
        return CachePolicy(ttl=cache.ttl, stale_if_error=cache.stale_if_error)

    async def fetch(
        self,
        system: str,
        kind: SourceKind,
        external_ids: Sequence[str],
        *,
        started: float | None = None,
    ) -> dict[str, SourceAnswer]:
        """An answer for every id of `external_ids` in `system` (one batch call at most).

        `started` (a `time.monotonic()` reading, e.g. when the request arrived) anchors the
        system's budget: its data must arrive within the budget of that moment, not of this
        call, so the time spent before reaching the source counts too.
        """
        spec = KINDS[kind]
        ids = list(dict.fromkeys(external_ids))
        connector = self.connectors.get(system)
        if connector is None:
            answer = unconfigured_answer(system)
            return dict.fromkeys(ids, answer)
        policy = self._policy(system)
        keys = {i: CacheKey(system, kind.value, i) for i in ids}
        hits = await self.cache.lookup(list(keys.values()), policy)
        answers: dict[str, SourceAnswer] = {}
        missing: list[str] = []
        for external_id, key in keys.items():
            hit = hits.get(key)
            if hit is not None and hit.fresh:
                report = SourceReport(system, SourceStatus.OK, 0.0, _at(hit.fetched_at))
                answers[external_id] = SourceAnswer(hit.value, report)
            else:
                missing.append(external_id)
        if not missing:
            return answers
        budget = self.budget(system)
        if started is not None:
            budget = max(0.0, budget - (time.monotonic() - started))
        began = time.perf_counter()
        try:
            async with asyncio.timeout(budget):
                fetched = await spec.fetch(connector, missing)
        except TimeoutError:
            error: ConnectorError = SourceTimeoutError(system, "no answer within the budget")
        except ConnectorError as exc:
            error = exc
        except Exception:  # a connector bug must not fail the other sources
            log.exception("connector failed unexpectedly", system=system, kind=kind.value)
            error = ConnectorError(system, "unexpected connector failure")
        else:
            latency_ms = round((time.perf_counter() - began) * 1000, 2)
            now = self.clock()
            values = {i: fetched.get(i, spec.empty()) for i in missing}
            await self.cache.store({keys[i]: v for i, v in values.items()}, policy, fetched_at=now)
            report = SourceReport(system, SourceStatus.OK, latency_ms, _at(now))
            answers.update({i: SourceAnswer(v, report) for i, v in values.items()})
            return answers
        latency_ms = round((time.perf_counter() - began) * 1000, 2)
        log.warning("source failed", system=system, kind=kind.value, status=error.status.value)
        for external_id in missing:
            hit = hits.get(keys[external_id])
            if hit is not None:
                stale = SourceReport(
                    system, SourceStatus.STALE, latency_ms, _at(hit.fetched_at), error.message
                )
                answers[external_id] = SourceAnswer(hit.value, stale, error)
            else:
                failed = SourceReport(system, error.status, latency_ms, None, error.message)
                answers[external_id] = SourceAnswer(None, failed, error)
        return answers

    def combine(
        self,
        system: str,
        kind: SourceKind,
        external_ids: Sequence[str],
        answers: Sequence[SourceAnswer],
    ) -> CustomerSourceData:
        """One customer's data of `kind` in `system` from the answers for its ids there."""
        spec = KINDS[kind]
        if not external_ids:
            report = SourceReport(system, SourceStatus.NOT_LINKED)
            return CustomerSourceData(system, False, spec.empty(), report)
        report = worst_report(system, [answer.report for answer in answers])
        value = None if report.failed else spec.merge([answer.value for answer in answers])
        return CustomerSourceData(system, True, value, report)

    @staticmethod
    def merge(kind: SourceKind, parts: Sequence[CustomerSourceData]) -> KindData:
        """One customer's data of `kind` over the systems that serve it."""
        spec = KINDS[kind]
        answered = [part.value for part in parts if part.linked and not part.failed]
        value = spec.merge(answered) if answered else spec.empty()
        return KindData(kind, tuple(parts), value)

    async def gather(
        self, customers: Mapping[str, Sequence[Identity]], kinds: Iterable[SourceKind]
    ) -> dict[str, dict[SourceKind, KindData]]:
        """Every asked kind for every customer: one batch per system and kind, concurrently."""
        wanted = list(dict.fromkeys(kinds))
        linked = [system for identities in customers.values() for system, _ in identities]
        plan = [(system, kind) for kind in wanted for system in self.systems_serving(kind, linked)]
        ids = {
            (system, kind): [e for idents in customers.values() for s, e in idents if s == system]
            for system, kind in plan
        }
        fetched = await asyncio.gather(*(self.fetch(s, k, ids[(s, k)]) for s, k in plan))
        answers = dict(zip(plan, fetched, strict=True))
        return {
            customer_id: {kind: self._of_customer(kind, identities, answers) for kind in wanted}
            for customer_id, identities in customers.items()
        }

    def _of_customer(
        self,
        kind: SourceKind,
        identities: Sequence[Identity],
        answers: Mapping[tuple[str, SourceKind], Mapping[str, SourceAnswer]],
    ) -> KindData:
        parts = []
        for system in self.systems_serving(kind, (s for s, _ in identities)):
            own = [e for s, e in identities if s == system]
            parts.append(self.combine(system, kind, own, [answers[(system, kind)][e] for e in own]))
        return self.merge(kind, parts)

    async def invalidate_customer(self, identities: Iterable[Identity]) -> None:
        """Forget every cached kind of these source identities (consent change, erasure)."""
        keys = [
            CacheKey(system, kind.value, external_id)
            for system, external_id in identities
            for kind in self.kinds_of(system)
        ]
        await self.cache.forget(keys)

    async def aclose(self) -> None:
        """Close every connector's pool and the cache."""
        try:
            await asyncio.gather(*(c.aclose() for c in self.connectors.values()))
        finally:
            await self.cache.aclose()
