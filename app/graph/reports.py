"""What the graph says about each source: per external id answers and per-customer results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import SourceUnavailableError
from connectors.errors import ConnectorError, SourceStatus
from connectors.records import SourceKind

# Worst last: a customer's report for a system is the worst of its parts.
_SEVERITY = {
    SourceStatus.NOT_LINKED: 0,
    SourceStatus.OK: 1,
    SourceStatus.STALE: 2,
    SourceStatus.RATE_LIMITED: 3,
    SourceStatus.CIRCUIT_OPEN: 4,
    SourceStatus.TIMEOUT: 5,
    SourceStatus.ERROR: 6,
}


@dataclass(frozen=True, slots=True)
class SourceReport:
    """How one system answered: status, how long it took, and when its data was fetched."""

    system: str
    status: SourceStatus
    latency_ms: float | None = None
    fetched_at: datetime | None = None
    detail: str | None = None

    @property
    def failed(self) -> bool:
        """True when the system's data is missing (not merely stale)."""
        return _SEVERITY[self.status] > _SEVERITY[SourceStatus.STALE]


def worst_report(system: str, reports: Sequence[SourceReport]) -> SourceReport:
    """One report for several answers of `system`: worst status, slowest, oldest data."""
    if not reports:
        return SourceReport(system, SourceStatus.NOT_LINKED)
    worst = max(reports, key=lambda report: _SEVERITY[report.status])
    latencies = [r.latency_ms for r in reports if r.latency_ms is not None]
    fetched = [r.fetched_at for r in reports if r.fetched_at is not None]
    return SourceReport(
        system=system,
        status=worst.status,
        latency_ms=max(latencies) if latencies else None,
        fetched_at=None if worst.failed or not fetched else min(fetched),
        detail=worst.detail,
    )


@dataclass(frozen=True, slots=True)
class SourceAnswer:
    """The value of one external id (or the error that kept it away) and its report."""

    value: Any
    report: SourceReport
    error: ConnectorError | None = None


@dataclass(frozen=True, slots=True)
class CustomerSourceData:
    """One kind of data of one customer from one system, merged over the customer's ids."""

    system: str
    linked: bool
    value: Any
    report: SourceReport

    @property
    def failed(self) -> bool:
        """True when the data could not be served (neither fresh nor stale)."""
        return self.report.failed

    def error(self) -> SourceUnavailableError:
        """The GraphQL-facing error for a failed source (no upstream detail leaks)."""
        status = self.report.status.value
        return SourceUnavailableError(
            f"{self.system} did not answer ({status.lower().replace('_', ' ')})",
            source=self.system,
            status=status,
        )

    def unwrap(self) -> Any:
        """The value, or `SourceUnavailableError` if the source failed."""
        if self.failed:
            raise self.error()
        return self.value


@dataclass(frozen=True, slots=True)
class KindData:
    """One customer's data of one kind across every linked system that serves it.

    `value` merges what the systems that answered gave (lists newest first; for a record kind,
    the first system's record); `parts` keeps each system's own answer and report.
    """

    kind: SourceKind
    parts: tuple[CustomerSourceData, ...]
    value: Any

    @property
    def failed_parts(self) -> list[CustomerSourceData]:
        """The systems whose data could not be served (neither fresh nor stale)."""
        return [part for part in self.parts if part.failed]

    @property
    def failed(self) -> bool:
        """True when some system failed and none answered: there is nothing to show."""
        failed = self.failed_parts
        return bool(failed) and len(failed) == sum(1 for part in self.parts if part.linked)

    def unwrap(self) -> Any:
        """The merged value, or the first failure's `SourceUnavailableError` if none answered."""
        if self.failed:
            raise self.failed_parts[0].error()
        return self.value
