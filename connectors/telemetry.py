"""Prometheus metrics of connector calls, on the default REGISTRY that `/metrics` exposes.

Labels are bounded: `system` (three values), `outcome` / `status` (a dozen). Never ids or URLs.
Retries are also counted by stamina itself (`stamina_retries_total`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPSTREAM_REQUESTS = Counter(
    "c360_connector_upstream_requests",
    "HTTP requests sent to a source system, by outcome (HTTP status class or error).",
    ["system", "outcome"],
)
UPSTREAM_LATENCY = Histogram(
    "c360_connector_upstream_request_duration_seconds",
    "Latency of single HTTP requests to a source system.",
    ["system"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CALLS = Counter(
    "c360_connector_calls",
    "Connector calls (one or more HTTP attempts) by final source status.",
    ["system", "status"],
)
CALL_LATENCY = Histogram(
    "c360_connector_call_duration_seconds",
    "Latency of connector calls, retries and backoff included.",
    ["system"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "c360_connector_errors",
    "Connector calls that failed, by error type.",
    ["system", "error"],
)
IN_FLIGHT = Gauge(
    "c360_connector_in_flight_requests",
    "HTTP requests to a source system currently in flight.",
    ["system"],
)
CIRCUIT_STATE = Gauge(
    "c360_connector_circuit_state",
    "Circuit breaker state per source system: 0 closed, 1 half-open, 2 open.",
    ["system"],
)
