from __future__ import annotations

from datetime import date

import pytest

from app.metrics.params import MetricParams
from app.metrics.population import (
    NO_CLV,
    NO_CUSTOMERS_AT_START,
    NO_SPEND,
    NOBODY_ACQUIRED,
    ZERO_CAC,
    CohortValues,
    CustomerMovement,
    acquisition_rate,
    attrition_rate,
    cac_payback_months,
    customer_acquisition_cost,
    customer_growth_index,
    ltv_to_cac,
    monthly_churn_rate,
    period_metrics,
)

Q1 = (date(2025, 1, 1), date(2025, 3, 31))


def test_an_empty_start_leaves_rates_undefined() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=0, acquired=10, lost=0)
    assert acquisition_rate(movement) is None
    assert attrition_rate(movement) is None
    assert customer_growth_index(movement) is None
    assert monthly_churn_rate(movement) is None
    assert movement.customers_at_end == 10


def test_shrinking_base_has_a_growth_index_below_100() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=200, acquired=10, lost=30)
    assert customer_growth_index(movement) == 90.0


def test_monthly_churn_compounds_to_the_periods_attrition() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=100, acquired=0, lost=10)
    monthly = monthly_churn_rate(movement)
    assert monthly is not None
    assert (1 - monthly) ** movement.months == pytest.approx(0.9)


def test_zero_spend_gives_zero_cac_and_no_ratio() -> None:
    cac = customer_acquisition_cost(0.0, acquired=5)
    assert cac == 0.0
    assert ltv_to_cac(300.0, cac) is None


def test_no_spend_or_no_acquisitions_leave_cac_undefined() -> None:
    assert customer_acquisition_cost(None, acquired=5) is None
    assert customer_acquisition_cost(1000.0, acquired=0) is None
    assert ltv_to_cac(300.0, None) is None
    assert cac_payback_months(300.0, None, MetricParams()) is None
    assert cac_payback_months(0.0, 100.0, MetricParams()) is None


def test_payback_is_cac_over_the_monthly_margin_of_the_clv_model() -> None:
    # L = 0.6 / 0.5 = 1.2: an average CLV of 120 is an annual margin of 100.
    assert cac_payback_months(120.0, 100.0, MetricParams()) == pytest.approx(12.0)


def test_undefined_values_carry_their_reason() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=0, acquired=0, lost=0)
    metrics = period_metrics(
        movement, None, CohortValues(), cost_basis="SIMPLE", params=MetricParams()
    )
    assert metrics["acquisition_rate"].reason == NO_CUSTOMERS_AT_START
    assert metrics["cac"].reason == NO_SPEND
    assert metrics["ltv_to_cac"].reason == NO_SPEND
    assert metrics["average_clv"].reason == NO_CLV
    with_spend = period_metrics(
        movement, 10.0, CohortValues(), cost_basis="SIMPLE", params=MetricParams()
    )
    assert with_spend["cac"].reason == NOBODY_ACQUIRED


def test_zero_cac_leaves_the_ratio_undefined_with_its_reason() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=10, acquired=2, lost=0)
    cohort = CohortValues(with_clv=2, clv_sum=200.0)
    metrics = period_metrics(movement, 0.0, cohort, cost_basis="SIMPLE", params=MetricParams())
    assert metrics["cac"].value == 0.0
    assert metrics["ltv_to_cac"].value is None
    assert metrics["ltv_to_cac"].reason == ZERO_CAC
    assert metrics["cac"].definition == "cac.simple.v1"
