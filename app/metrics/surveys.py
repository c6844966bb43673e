"""NPS, CSAT and CES: per-customer summaries and population estimates with 95% intervals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.metrics.activity import SCALES, SurveyAnswer, SurveyKind
from app.metrics.intervals import difference_interval, mean_interval, wilson_interval
from app.metrics.values import Estimate


class NpsCategory(StrEnum):
    """Where an NPS answer falls: promoter 9-10, passive 7-8, detractor 0-6."""

    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


# Stored as the value of `nps_category`: the mean of these over answers is NPS / 100.
NPS_CATEGORY_VALUE: dict[NpsCategory, float] = {
    NpsCategory.PROMOTER: 1.0,
    NpsCategory.PASSIVE: 0.0,
    NpsCategory.DETRACTOR: -1.0,
}


def nps_category(score: int) -> NpsCategory:
    """The category of one 0-10 answer."""
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


def nps_estimate(scores: Iterable[int]) -> Estimate | None:
    """NPS in points (-100..100) = %promoters - %detractors, with a Wald trinomial interval."""
    n = promoters = detractors = 0
    for score in scores:
        n += 1
        if score >= 9:
            promoters += 1
        elif score <= 6:
            detractors += 1
    if n == 0:
        return None
    p_plus, p_minus = promoters / n, detractors / n
    low, high = difference_interval(p_plus, p_minus, n)
    return Estimate(100.0 * (p_plus - p_minus), n, 100.0 * low, 100.0 * high)


def csat_estimate(scores: Iterable[int]) -> Estimate | None:
    """CSAT in percent: the share of 4-5 answers on 1-5, with a Wilson interval."""
    n = satisfied = 0
    for score in scores:
        n += 1
        satisfied += score >= 4
    if n == 0:
        return None
    low, high = wilson_interval(satisfied, n)
    return Estimate(100.0 * satisfied / n, n, 100.0 * low, 100.0 * high)


def ces_estimate(scores: Iterable[int]) -> Estimate | None:
    """CES: the mean of 1-7 answers with a t interval clamped to 1-7 (none for one answer)."""
    values = list(scores)
    if not values:
        return None
    low, high = SCALES[SurveyKind.CES]
    mean, ci_low, ci_high = mean_interval(values, low, high)
    return Estimate(mean, len(values), ci_low, ci_high)


@dataclass(frozen=True, slots=True)
class SurveySummary:
    """One customer's answers up to `as_of`: the latest NPS answer, and CSAT/CES in the window."""

    latest_nps: SurveyAnswer | None
    nps_count: int
    csat_scores: list[int]
    ces_scores: list[int]


def summarize_answers(
    answers: Iterable[SurveyAnswer], *, as_of: datetime, window_days: float
) -> SurveySummary:
    """Sort one customer's answers in one pass; answers after `as_of` are ignored."""
    window_start = as_of - timedelta(days=window_days)
    latest: SurveyAnswer | None = None
    nps_count = 0
    csat: list[int] = []
    ces: list[int] = []
    for answer in answers:
        at = answer.answered_at
        if at > as_of:
            continue
        if answer.kind is SurveyKind.NPS:
            nps_count += 1
            # On equal timestamps the first answer in input order wins.
            if latest is None or at > latest.answered_at:
                latest = answer
        elif at >= window_start:
            (csat if answer.kind is SurveyKind.CSAT else ces).append(answer.score)
    return SurveySummary(latest, nps_count, csat, ces)
