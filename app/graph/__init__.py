"""The customer graph: source data for customers, concurrently, cached, never failing the query."""

from __future__ import annotations

from app.graph.customer_graph import CustomerGraph, Identity
from app.graph.invalidation import invalidate_customer, invalidate_customers
from app.graph.kinds import KINDS, SOURCE_FIELDS, SourceKind
from app.graph.reports import CustomerSourceData, KindData, SourceAnswer, SourceReport
from app.graph.runtime import connectors_config, customer_graph, open_customer_graph
from connectors.errors import SourceStatus

__all__ = [
    "KINDS",
    "SOURCE_FIELDS",
    "CustomerGraph",
    "CustomerSourceData",
    "Identity",
    "KindData",
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
