"""Source status and the connector error hierarchy: the only errors a connector raises.

`connectors/http.py` translates httpx errors and HTTP statuses into these at the boundary, and
each connector translates its vendor's error bodies; callers never see httpx or JSON errors.
Every error names its `system` and maps to the `SourceStatus` the gateway reports. None reaches
a GraphQL client: the gateway reports a failed source as `app.errors.SourceUnavailableError`
(app/graph/reports.py), from its status alone.
"""

from __future__ import annotations

from enum import StrEnum


class SourceStatus(StrEnum):
    """How a source answered for one request (reported in `Customer.sources`)."""

    OK = "OK"
    STALE = "STALE"
    TIMEOUT = "TIMEOUT"
    ERROR = "ERROR"
    RATE_LIMITED = "RATE_LIMITED"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    NOT_LINKED = "NOT_LINKED"


class ConnectorError(Exception):
    """Base class: a source system did not answer usefully."""

    status: SourceStatus = SourceStatus.ERROR
    retryable = False

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.message = message


class SourceTimeoutError(ConnectorError):
    """The source did not answer within its timeout or the call's time budget."""

    status = SourceStatus.TIMEOUT


class SourceDownError(ConnectorError):
    """The source is down: it could not be reached, or answered with a 5xx."""

    retryable = True

    def __init__(self, system: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(system, message)
        self.http_status = http_status


class RateLimitedError(ConnectorError):
    """The source refused the call with 429; `retry_after` says when to try again, if known."""

    status = SourceStatus.RATE_LIMITED
    retryable = True

    def __init__(self, system: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(system, message)
        self.retry_after = retry_after


class UnauthorizedError(ConnectorError):
    """The source rejected our credentials (401/403, or its own access-denied error)."""


class RequestRejectedError(ConnectorError):
    """The source rejected the request itself (a 4xx other than 401, 403 and 429)."""

    def __init__(self, system: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(system, message)
        self.http_status = http_status


class BadResponseError(ConnectorError):
    """The source answered, but not with what its API documents (malformed JSON, wrong shape)."""


class CircuitOpenError(ConnectorError):
    """The source's circuit breaker is open: the call failed fast without reaching it."""

    status = SourceStatus.CIRCUIT_OPEN
