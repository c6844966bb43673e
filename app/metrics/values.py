"""What calculators return: a `MetricValue` to store, and an `Estimate` with its 95% interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One observation to store: `details` is JSON-serialisable (n, interval, reasons, ...)."""

    name: str
    value: float
    method: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate from `n` observations with its 95% confidence interval.

    `ci_low`/`ci_high` are None when the interval is undefined (e.g. a mean of one answer).
    """

    value: float
    n: int
    ci_low: float | None
    ci_high: float | None

    def details(self) -> dict[str, Any]:
        """The JSON-serialisable details stored next to the value."""
        ci = None if self.ci_low is None else [self.ci_low, self.ci_high]
        return {"n": self.n, "ci95": ci}
