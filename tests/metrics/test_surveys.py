from __future__ import annotations

from datetime import timedelta

import pytest

from app.metrics import SurveyAnswer, SurveyKind
from app.metrics.surveys import (
    NpsCategory,
    ces_estimate,
    csat_estimate,
    nps_category,
    nps_estimate,
    summarize_answers,
)
from tests.metrics.factories import AS_OF, ces, csat, nps


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, NpsCategory.DETRACTOR),
        (6, NpsCategory.DETRACTOR),
        (7, NpsCategory.PASSIVE),
        (8, NpsCategory.PASSIVE),
        (9, NpsCategory.PROMOTER),
        (10, NpsCategory.PROMOTER),
    ],
)
def test_nps_category_boundaries(score: int, category: NpsCategory) -> None:
    assert nps_category(score) is category


def test_no_answers_give_no_estimates() -> None:
    assert nps_estimate([]) is None
    assert csat_estimate([]) is None
    assert ces_estimate([]) is None


def test_all_passives_score_zero_with_a_degenerate_interval() -> None:
    result = nps_estimate([7, 8, 7, 8])
    assert result is not None
    assert (result.value, result.ci_low, result.ci_high) == (0.0, 0.0, 0.0)


def test_all_promoters_interval_is_clamped_at_100() -> None:
    result = nps_estimate([9, 10])
    assert result is not None
    assert (result.value, result.ci_high) == (100.0, 100.0)


def test_nps_interval_matches_the_trinomial_variance() -> None:
    # 2 promoters, 1 detractor of 4: var = (0.5 + 0.25 - 0.25^2) / 4 = 0.171875
    result = nps_estimate([10, 9, 3, 7])
    assert result is not None
    half = 1.959963984540054 * 0.171875**0.5 * 100
    assert result.value == pytest.approx(25.0)
    assert result.ci_low == pytest.approx(25.0 - half)
    assert result.ci_high == pytest.approx(min(100.0, 25.0 + half))


def test_csat_counts_only_4_and_5_as_satisfied() -> None:
    result = csat_estimate([3, 4])
    assert result is not None
    assert result.value == 50.0


def test_csat_all_unsatisfied_keeps_a_non_empty_interval() -> None:
    result = csat_estimate([1, 2, 3])
    assert result is not None
    assert result.value == 0.0
    assert result.ci_low == 0.0
    assert result.ci_high is not None and result.ci_high > 0.0


def test_ces_of_one_answer_has_no_interval() -> None:
    result = ces_estimate([6])
    assert result is not None
    assert (result.value, result.n, result.ci_low, result.ci_high) == (6.0, 1, None, None)


def test_ces_interval_is_clamped_to_the_scale() -> None:
    result = ces_estimate([1, 7])
    assert result is not None
    assert (result.ci_low, result.ci_high) == (1.0, 7.0)


def test_estimate_details_are_n_and_interval() -> None:
    result = ces_estimate([6])
    assert result is not None
    assert result.details() == {"n": 1, "ci95": None}


def test_summary_keeps_the_latest_nps_and_windowed_csat_ces() -> None:
    summary = summarize_answers(
        [
            nps(3, AS_OF - timedelta(days=10)),
            nps(9, AS_OF - timedelta(days=400)),
            nps(10, AS_OF + timedelta(days=1)),
            csat(5, AS_OF - timedelta(days=364)),
            csat(1, AS_OF - timedelta(days=366)),
            ces(2, AS_OF),
        ],
        as_of=AS_OF,
        window_days=365,
    )
    assert summary.latest_nps is not None and summary.latest_nps.score == 3
    assert summary.nps_count == 2
    assert (summary.csat_scores, summary.ces_scores) == ([5], [2])


@pytest.mark.parametrize(
    ("kind", "score"),
    [(SurveyKind.NPS, 11), (SurveyKind.NPS, -1), (SurveyKind.CSAT, 0), (SurveyKind.CES, 8)],
)
def test_answers_outside_their_scale_are_rejected(kind: SurveyKind, score: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        SurveyAnswer(kind, score, AS_OF)
