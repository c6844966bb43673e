"""The customer graph: source data for customers, concurrently, cached, never failing the query."""

from __future__ import annotations

from app.graph.customer_graph import CustomerGraph, Identity
from app.graph.invalidation import invalidate_customer
from app.graph.kinds import KINDS, PROBE_KINDS, SOURCE_SYSTEMS, SourceKind
from app.graph.reports import CustomerSourceData, SourceAnswer, SourceReport
from app.graph.runtime import open_customer_graph
from connectors.errors import SourceStatus

__all__ = [
    "KINDS",
    "PROBE_KINDS",
    "SOURCE_SYSTEMS",
    "CustomerGraph",
    "CustomerSourceData",
    "Identity",
    "SourceAnswer",
    "SourceKind",
    "SourceReport",
    "SourceStatus",
    "invalidate_customer",
    "open_customer_graph",
]
