"""Incremental sync: pull each source system's changes since its checkpoint and link them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from app.business.acquisition import RULE_EARLIEST_SOURCE, ExternalAcquisition, store_by_source_id
from app.business.source_acquisition import (
    acquisition_from_change,
    erp_customer,
    first_order_acquisitions,
)
from app.graph import CustomerGraph, connectors_config, customer_graph
from app.identity.ingest import IncomingRecord, Ingestor, IngestSummary, Outcome
from app.identity.record import PersonRecord
from app.identity.source_changes import incoming_from_change
from app.settings import Settings
from app.store.db import Database
from app.store.repositories import identity as repo
from app.store.types import utcnow
from connectors.base import Connector, ConnectorError

BATCH_SIZE = 500
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class SystemSync:
    """One system's part of a sync: what was linked, where it started, and any failure."""

    system: str
    since: datetime
    summary: IngestSummary = field(default_factory=IngestSummary)
    error: str | None = None
    seconds: float = 0.0


def open_sources(settings: Settings, *, required: bool = True) -> CustomerGraph:
    """The graph over the configured, enabled connectors: sync reads its connectors' changes,
    and the recompute that follows their data. Raises `ConnectorConfigError` when misconfigured,
    and `ValueError` when nothing is configured and `required`. Close it with `aclose()`."""
    if required and settings.connectors_file is None:
        raise ValueError("C360_CONNECTORS_FILE is not set: no source systems are configured")
    return customer_graph(settings, connectors_config(settings))


async def _flush(ingestor: Ingestor, batch: list[IncomingRecord], into: IngestSummary) -> None:
    if batch:
        into.add(await ingestor.ingest(batch))
        batch.clear()


async def sync_system(
    db: Database,
    connector: Connector,
    ingestor: Ingestor,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> SystemSync:
    """Link every change since the system's checkpoint (and store the acquisitions the system
    reports); move the checkpoint only on success.

    Changes come at or after the checkpoint, so the newest ones are read again next time;
    relinking an already-linked identity only refreshes its customer.
    """
    async with db.session() as session:
        since = await repo.get_checkpoint(session, system=connector.system) or BEGINNING
    result = SystemSync(system=connector.system, since=since)
    started = time.perf_counter()
    newest = since
    batch: list[IncomingRecord] = []
    acquisitions: list[ExternalAcquisition] = []
    erp_customers: list[str] = []
    try:
        async for change in connector.iter_changes(since):
            acquired = acquisition_from_change(change)
            if acquired is not None:
                acquisitions.append(acquired)
            if (customer := erp_customer(change)) is not None:
                erp_customers.append(customer)
            if change.changed_at is not None and change.changed_at > newest:
                newest = change.changed_at
            incoming = incoming_from_change(change)
            if incoming is None:
                result.summary.read += 1
                result.summary.outcomes[Outcome.SKIPPED] += 1
                result.summary.skip_reasons["the record names no person"] += 1
            else:
                batch.append(incoming)
            if progress:
                progress(1)
            if len(batch) >= batch_size:
                await _flush(ingestor, batch, result.summary)
        await _flush(ingestor, batch, result.summary)
        # Once every identity is linked: where the customers came from, as the system says.
        acquisitions += await first_order_acquisitions(connector, erp_customers)
        await store_by_source_id(
            db, acquisitions, system=connector.system, rule=RULE_EARLIEST_SOURCE
        )
    except ConnectorError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    finally:
        result.seconds = time.perf_counter() - started
    async with db.transaction() as session:
        await repo.set_checkpoint(session, system=connector.system, changed_since=newest)
    return result


async def sync_sources(
    db: Database,
    connectors: Mapping[str, Connector],
    ingestor: Ingestor,
    *,
    systems: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[SystemSync]:
    """Index the store, then sync each chosen system in turn (all when `systems` is None)."""
    await ingestor.index_store()
    results = []
    for system in systems or sorted(connectors):
        results.append(
            await sync_system(
                db,
                connectors[system],
                ingestor,
                progress=partial(progress, system) if progress else None,
            )
        )
    return results


def incoming_from_csv(
    records: Sequence[PersonRecord],
    *,
    source: str,
    changed_at: Mapping[str, datetime] | None = None,
) -> list[IncomingRecord]:
    """CSV rows as incoming records of system `source`, observed when `changed_at` says the
    source changed them, else now."""
    now = utcnow()
    times = changed_at or {}
    return [
        IncomingRecord(
            system=source,
            external_id=r.record_id,
            person=r,
            observed_at=times.get(r.record_id, now),
        )
        for r in records
    ]
