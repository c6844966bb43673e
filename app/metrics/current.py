"""A customer's current metrics: each metric's latest observation, the one before it, the trend.

The current value of a metric is its latest observation (history is never overwritten); the
trend compares it with the observation before: UP, DOWN, FLAT, or NEW when there is none.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar


class Observation(Protocol):
    """What is read of a stored observation (a `metric_observation` row or record)."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> float: ...


ObservationT = TypeVar("ObservationT", bound=Observation)


class Trend(StrEnum):
    """How a metric's current value compares with the previous one."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    NEW = "new"


def trend(current: float, previous: float | None) -> Trend:
    if previous is None:
        return Trend.NEW
    if current > previous:
        return Trend.UP
    return Trend.DOWN if current < previous else Trend.FLAT


@dataclass(frozen=True, slots=True)
class CurrentMetric(Generic[ObservationT]):
    """One metric of one customer now."""

    current: ObservationT
    previous: ObservationT | None
    trend: Trend


def latest(observations: Iterable[ObservationT]) -> dict[str, ObservationT]:
    """Each metric's latest observation, by name (`observations` newest first per metric)."""
    found: dict[str, ObservationT] = {}
    for row in observations:
        found.setdefault(row.name, row)
    return found


def current_metrics(
    observations: Iterable[ObservationT], names: Collection[str] | None = None
) -> list[CurrentMetric[ObservationT]]:
    """Each metric's latest observation and the one before, by metric name; only `names` (lower
    case) when given. `observations` come newest first per metric, as the store reads them."""
    by_name: dict[str, list[ObservationT]] = {}
    for row in observations:
        if names is None or row.name in names:
            by_name.setdefault(row.name, []).append(row)
    metrics = []
    for _, rows in sorted(by_name.items()):
        current, previous = rows[0], rows[1] if len(rows) > 1 else None
        change = trend(current.value, previous.value if previous is not None else None)
        metrics.append(CurrentMetric(current, previous, change))
    return metrics
