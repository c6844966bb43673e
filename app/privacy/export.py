"""Data subject access (GDPR Art. 15): one JSON document with everything held about a person.

The document gathers every master-store row about the customer and the tombstones merged into
it, the data every linked source system holds (fetched live, bypassing the cache), the merged
timeline, and the audit ledger of who read or changed the record. A source that does not answer
does not fail the export: its section says so (`status`, `detail`) and carries no data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from app.customers.lookup import live_customer
from app.graph import KINDS, CustomerGraph, SourceKind, SourceReport
from app.graph.reports import CustomerSourceData, worst_report
from app.graph.timeline import from_interaction, upstream_entries
from app.privacy.consent import current_state
from app.store.db import Database
from app.store.models import (
    Acquisition,
    ConsentEvent,
    ContactPoint,
    CustomerChange,
    ErasureLookalike,
    FieldProvenance,
    Interaction,
    MetricObservation,
    Preference,
    SourceLink,
)
from app.store.repositories import subject_data as repo
from app.store.types import utcnow
from connectors.errors import SourceStatus

EXPORT_FORMAT = "c360-data-subject-export/1"
# Upstream kinds that also make timeline entries.
_TIMELINE_KINDS = (
    SourceKind.ERP_ORDERS,
    SourceKind.CRM_TICKETS,
    SourceKind.CRM_ENGAGEMENTS,
    SourceKind.SURVEY_RESPONSES,
)


@dataclass(frozen=True, slots=True)
class DataExport:
    """The export of one customer: the JSON document and how each linked system answered."""

    customer_id: str
    generated_at: datetime
    sources: list[SourceReport]
    document: dict[str, Any]


def _jsonable(value: Any) -> Any:
    """Rows, source records and dates as plain JSON values (dates ISO 8601, decimals strings)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return to_jsonable_python(value)


def _rows(rows: Iterable[Any]) -> list[Any]:
    return [_jsonable(row) for row in rows]


@dataclass(frozen=True, slots=True)
class _StoreRows:
    contact_points: list[ContactPoint]
    links: list[SourceLink]
    provenance: list[FieldProvenance]
    metrics: list[MetricObservation]
    consents: list[ConsentEvent]
    preferences: list[Preference]
    interactions: list[Interaction]
    acquisitions: list[Acquisition]
    history: list[CustomerChange]


async def _master_store(
    db: Database, customer_id: str
) -> tuple[dict[str, Any], list[str], _StoreRows, list[Any]]:
    async with db.session() as session:
        customer = await live_customer(session, customer_id)
        merged = await repo.merged_into(session, customer_id=customer.id)
        ids = [customer.id, *merged]
        tombstones = await repo.customers_by_ids(session, ids=merged)
        rows = _StoreRows(
            contact_points=await repo.rows_of(session, ContactPoint, customer_ids=ids),
            links=await repo.rows_of(session, SourceLink, customer_ids=ids),
            provenance=await repo.rows_of(session, FieldProvenance, customer_ids=ids),
            metrics=await repo.rows_of(session, MetricObservation, customer_ids=ids),
            consents=await repo.rows_of(session, ConsentEvent, customer_ids=ids),
            preferences=await repo.rows_of(session, Preference, customer_ids=ids),
            interactions=await repo.rows_of(session, Interaction, customer_ids=ids),
            acquisitions=await repo.rows_of(session, Acquisition, customer_ids=ids),
            history=await repo.rows_of(session, CustomerChange, customer_ids=ids),
        )
        candidates = await repo.match_candidates_of(session, customer_ids=ids)
        lookalikes = await repo.rows_of(session, ErasureLookalike, customer_ids=ids)
        audit = await repo.audit_events_of(session, customer_ids=ids)
    now = utcnow()
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in sorted(rows.consents, key=lambda e: (e.captured_at, e.id or 0)):
        latest[(event.purpose, event.channel)] = event
    store = {
        "customer": _jsonable(customer),
        "merged_records": _rows(tombstones),
        "contact_points": _rows(rows.contact_points),
        "identities": _rows(rows.links),
        "field_provenance": _rows(rows.provenance),
        "consents": {
            "current": [
                {**_jsonable(event), "state": current_state(event, now).value}
                for _, event in sorted(latest.items())
            ],
            "history": _rows(rows.consents),
        },
        "preferences": _rows(rows.preferences),
        "metrics": _rows(rows.metrics),
        "interactions": _rows(rows.interactions),
        "acquisition": _rows(rows.acquisitions),
        "match_candidates": _rows(candidates),
        # The other person's (erased) id is theirs, not the subject's: left out.
        "erasure_lookalikes": [
            {k: v for k, v in row.items() if k != "erased_id"} for row in _rows(lookalikes)
        ],
        "history": _rows(rows.history),
    }
    return store, ids, rows, _rows(audit)


async def _source_data(
    graph: CustomerGraph, customer_id: str, links: list[SourceLink]
) -> dict[str, dict[SourceKind, CustomerSourceData]]:
    identities = [(link.system, link.external_id) for link in links]
    # Live data, not what a cache kept: forget the entries first.
    await graph.invalidate_customer(identities)
    gathered = await graph.gather({customer_id: identities}, list(KINDS))
    by_system: dict[str, dict[SourceKind, CustomerSourceData]] = {}
    for kind, data in gathered[customer_id].items():
        for part in data.parts:
            by_system.setdefault(part.system, {})[kind] = part
    return by_system


def _system_section(
    system: str, per_kind: dict[SourceKind, CustomerSourceData], links: list[SourceLink]
) -> tuple[SourceReport, dict[str, Any]]:
    report = worst_report(system, [data.report for data in per_kind.values()])
    if not any(data.linked for data in per_kind.values()):
        report = SourceReport(system, SourceStatus.NOT_LINKED)
    section = {
        "status": report.status.value,
        "detail": report.detail,
        "fetched_at": _jsonable(report.fetched_at),
        "external_ids": [link.external_id for link in links if link.system == system],
        "data": {
            kind.value: None if data.failed else _jsonable(data.value)
            for kind, data in per_kind.items()
        },
        "answered": {kind.value: not data.failed for kind, data in per_kind.items()},
    }
    return report, section


def _timeline(
    interactions: list[Interaction], source_data: dict[str, dict[SourceKind, CustomerSourceData]]
) -> list[Any]:
    entries = [from_interaction(row) for row in interactions]
    for per_kind in source_data.values():
        for kind, data in per_kind.items():
            if kind in _TIMELINE_KINDS:
                entries.extend(upstream_entries(kind, data))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return _rows(entries)


async def export_customer_data(
    db: Database, graph: CustomerGraph, *, customer_id: str
) -> DataExport:
    """Everything held or linked about the customer (`NotFoundError` if there is none)."""
    store, ids, rows, audit = await _master_store(db, customer_id)
    source_data = await _source_data(graph, ids[0], rows.links)
    reports: list[SourceReport] = []
    sources: dict[str, Any] = {}
    for system in graph.reported_systems():
        report, section = _system_section(system, source_data.get(system, {}), rows.links)
        reports.append(report)
        sources[system] = section
    generated_at = utcnow()
    document = {
        "format": EXPORT_FORMAT,
        "generated_at": _jsonable(generated_at),
        "customer_id": ids[0],
        "merged_ids": ids[1:],
        "master_store": store,
        "sources": sources,
        "timeline": _timeline(rows.interactions, source_data),
        "access_log": audit,
    }
    return DataExport(
        customer_id=ids[0], generated_at=generated_at, sources=reports, document=document
    )
