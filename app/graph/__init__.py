"""The customer graph: source data for customers, concurrently, cached, never failing the query."""

from __future__ import annotations

from app.graph.customer_graph import CustomerGraph, Identity
from app.graph.invalidation import invalidate_customer, invalidate_customers
from app.graph.kinds import KINDS, PROBE_KINDS, SOURCE_SYSTEMS, SourceKind
from app.graph.reports import CustomerSourceData, SourceAnswer, SourceReport
from app.graph.runtime import connectors_config, customer_graph, open_customer_graph
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
    "connectors_config",
    "customer_graph",
    "invalidate_customer",
    "invalidate_customers",
    "open_customer_graph",
]
