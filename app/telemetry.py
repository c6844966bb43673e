"""Prometheus metrics of the gateway itself (connectors register theirs on the same registry)."""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram

GRAPHQL_REQUESTS = Counter(
    "c360_graphql_requests_total", "GraphQL operations executed.", ["operation", "method"]
)
GRAPHQL_LATENCY = Histogram(
    "c360_graphql_request_duration_seconds",
    "GraphQL operation latency.",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
GRAPHQL_ERRORS = Counter("c360_graphql_errors_total", "GraphQL errors by code.", ["code"])
HTTP_REJECTIONS = Counter(
    "c360_http_rejections_total", "Requests refused before execution.", ["status"]
)
ADMISSION_REFUSALS = Counter(
    "c360_admission_refusals_total",
    "Requests refused with 503 OVERLOADED, by reason (queue_full, queue_wait).",
    ["reason"],
)
REQUESTS_IN_FLIGHT = Gauge(
    "c360_requests_in_flight", "Admitted requests being served now (this process)."
)
REQUESTS_QUEUED = Gauge(
    "c360_requests_queued", "Requests waiting for admission now (this process)."
)
REQUEST_TIMEOUTS = Counter(
    "c360_request_timeouts_total",
    "Requests cancelled at the deadline, by outcome (rolled_back, committed).",
    ["outcome"],
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_OPERATION_LABELS = 500
_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """A bounded label for an operation name (clients choose names; cardinality must not grow)."""
    if not name or not _NAME.match(name):
        return "anonymous"
    if name in _seen_operations:
        return name
    if len(_seen_operations) >= _MAX_OPERATION_LABELS:
        return "other"
    _seen_operations.add(name)
    return name


def observe_operation(name: str | None, method: str, seconds: float, codes: list[str]) -> None:
    """Count one executed operation, its latency and its errors."""
    label = operation_label(name)
    GRAPHQL_REQUESTS.labels(label, method).inc()
    GRAPHQL_LATENCY.labels(label).observe(seconds)
    for code in codes:
        GRAPHQL_ERRORS.labels(code).inc()
