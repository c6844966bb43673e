from __future__ import annotations

import math
from dataclasses import replace

import pytest

from app.metrics.churn import BIAS, OVERDUE_CAP, WEIGHTS, ChurnSignals, churn_risk
from app.metrics.surveys import NpsCategory

CALM = ChurnSignals(
    recency_days=10.0,
    gap_days=30.0,
    spend_drop=0.0,
    spend_window_days=180.0,
    latest_nps=None,
    latest_nps_category=None,
    open_complaints=0,
    unsubscribed=False,
)


def test_no_warning_signs_give_the_baseline_and_no_reasons() -> None:
    result = churn_risk(CALM)
    assert result.risk == pytest.approx(1 / (1 + math.exp(-BIAS)))
    assert result.reasons == []


def test_overdue_is_measured_in_the_customers_own_gaps() -> None:
    result = churn_risk(replace(CALM, recency_days=90.0))
    assert result.features["overdue"] == pytest.approx(2.0)
    assert result.risk == pytest.approx(1 / (1 + math.exp(-(BIAS + 2.0 * WEIGHTS["overdue"]))))
    assert result.reasons[0]["message"] == "last order 90 days ago, 3.0x the usual 30-day gap"


def test_overdue_is_capped() -> None:
    result = churn_risk(replace(CALM, recency_days=10_000.0))
    assert result.features["overdue"] == OVERDUE_CAP


def test_promoter_lowers_risk_and_is_not_a_reason() -> None:
    promoter = replace(CALM, latest_nps=10, latest_nps_category=NpsCategory.PROMOTER)
    result = churn_risk(promoter)
    assert result.risk < churn_risk(CALM).risk
    assert result.reasons == []


def test_reasons_are_the_top_three_largest_first() -> None:
    worried = replace(
        CALM,
        spend_drop=0.5,
        latest_nps=2,
        latest_nps_category=NpsCategory.DETRACTOR,
        open_complaints=5,
        unsubscribed=True,
    )
    result = churn_risk(worried)
    # open complaints capped at 3: 2.1; detractor 1.2; unsubscribed 0.9; spend drop 0.75.
    assert [r["code"] for r in result.reasons] == ["open_complaints", "detractor", "unsubscribed"]
    assert result.reasons[0]["contribution"] == pytest.approx(2.1)
    assert result.reasons[0]["message"] == "5 open complaint ticket(s)"
    z = BIAS + 2.1 + 1.2 + 0.9 + 0.75
    assert result.risk == pytest.approx(1 / (1 + math.exp(-z)))


def test_every_feature_has_a_weight() -> None:
    assert set(churn_risk(CALM).features) == set(WEIGHTS)
