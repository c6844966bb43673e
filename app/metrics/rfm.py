"""RFM: quintile breakpoints over a population, scoring one customer against stored
breakpoints, and the 11 named segments.

Inputs per customer: recency = days since the last kept order, frequency = kept orders to
date, monetary = net revenue to date. Only buyers (>= 1 kept order) take part.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

QUINTILES = (0.2, 0.4, 0.6, 0.8)


@dataclass(frozen=True, slots=True)
class RfmInputs:
    """One buyer's raw recency (days), frequency (orders) and monetary (net revenue)."""

    recency_days: float
    frequency: float
    monetary: float


@dataclass(frozen=True, slots=True)
class RfmBreakpoints:
    """The 20/40/60/80th percentiles of each input over a population of `population` buyers.

    Store them (`to_dict`) after a full recompute; score single customers against them later.
    """

    recency_days: tuple[float, float, float, float]
    frequency: tuple[float, float, float, float]
    monetary: tuple[float, float, float, float]
    population: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "recency_days": list(self.recency_days),
            "frequency": list(self.frequency),
            "monetary": list(self.monetary),
            "population": self.population,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RfmBreakpoints:
        """Inverse of `to_dict`."""
        return cls(
            _edges(data["recency_days"]),
            _edges(data["frequency"]),
            _edges(data["monetary"]),
            int(data["population"]),
        )


def _edges(values: Sequence[float]) -> tuple[float, float, float, float]:
    if len(values) != len(QUINTILES):
        raise ValueError("RFM breakpoints need exactly four edges")
    a, b, c, d = (float(v) for v in values)
    if not a <= b <= c <= d:
        raise ValueError("RFM breakpoints must be non-decreasing")
    return a, b, c, d


def quantiles(values: list[float]) -> tuple[float, float, float, float]:
    """Quintile edges by linear interpolation (Hyndman-Fan type 7, numpy's default)."""
    ordered = sorted(values)
    last = len(ordered) - 1
    edges = []
    for p in QUINTILES:
        h = last * p
        i = int(h)
        upper = ordered[min(i + 1, last)]
        edges.append(ordered[i] + (h - i) * (upper - ordered[i]))
    return _edges(edges)


def rfm_breakpoints(population: Iterable[RfmInputs]) -> RfmBreakpoints:
    """Quintile breakpoints of recency, frequency and monetary over a population of buyers."""
    recency: list[float] = []
    frequency: list[float] = []
    monetary: list[float] = []
    for row in population:
        recency.append(row.recency_days)
        frequency.append(row.frequency)
        monetary.append(row.monetary)
    if not recency:
        raise ValueError("RFM breakpoints need at least one buyer")
    return RfmBreakpoints(
        quantiles(recency), quantiles(frequency), quantiles(monetary), len(recency)
    )


@dataclass(frozen=True, slots=True)
class RfmScores:
    """Scores 1-5 each; 5 is best (most recent, most frequent, highest spend)."""

    recency: int
    frequency: int
    monetary: int


def score_rfm(inputs: RfmInputs, breakpoints: RfmBreakpoints) -> RfmScores:
    """Score one buyer: a value equal to an edge falls in the lower quintile.

    F and M: 1 + number of edges strictly below the value. R is reversed (fewer days is
    better): 5 - number of edges strictly below the recency.
    """
    return RfmScores(
        5 - bisect_left(breakpoints.recency_days, inputs.recency_days),
        1 + bisect_left(breakpoints.frequency, inputs.frequency),
        1 + bisect_left(breakpoints.monetary, inputs.monetary),
    )


class RfmSegment(StrEnum):
    """The usual named RFM segments."""

    CHAMPIONS = "champions"
    LOYAL = "loyal"
    POTENTIAL_LOYALIST = "potential_loyalist"
    NEW_CUSTOMERS = "new_customers"
    PROMISING = "promising"
    NEED_ATTENTION = "need_attention"
    ABOUT_TO_SLEEP = "about_to_sleep"
    AT_RISK = "at_risk"
    CANNOT_LOSE_THEM = "cannot_lose_them"
    HIBERNATING = "hibernating"
    LOST = "lost"


# Stable numeric codes: the stored value of `rfm_segment` (the name goes in details).
SEGMENT_CODE: dict[RfmSegment, int] = {segment: i for i, segment in enumerate(RfmSegment, 1)}

# Rows: R score 1..5; columns: FM score 1..5 (see fm_score). Documented in docs/metrics.md.
_C, _L, _P = RfmSegment.CHAMPIONS, RfmSegment.LOYAL, RfmSegment.POTENTIAL_LOYALIST
_N, _PR, _NA = RfmSegment.NEW_CUSTOMERS, RfmSegment.PROMISING, RfmSegment.NEED_ATTENTION
_AS, _AR, _CL = RfmSegment.ABOUT_TO_SLEEP, RfmSegment.AT_RISK, RfmSegment.CANNOT_LOSE_THEM
_H, _LO = RfmSegment.HIBERNATING, RfmSegment.LOST
SEGMENT_GRID: tuple[tuple[RfmSegment, ...], ...] = (
    (_LO, _LO, _AR, _AR, _CL),  # R = 1
    (_H, _H, _AR, _AR, _CL),  # R = 2
    (_AS, _AS, _NA, _L, _L),  # R = 3
    (_PR, _P, _P, _L, _L),  # R = 4
    (_N, _P, _P, _C, _C),  # R = 5
)


def fm_score(scores: RfmScores) -> int:
    """The mean of F and M, rounded half up (F=4, M=5 gives 5)."""
    return (scores.frequency + scores.monetary + 1) // 2


def rfm_segment(scores: RfmScores) -> RfmSegment:
    """The segment of a buyer from its R score and combined FM score."""
    return SEGMENT_GRID[scores.recency - 1][fm_score(scores) - 1]
