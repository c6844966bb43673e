from __future__ import annotations

from datetime import date

from app.metrics.population import (
    AcquisitionSpend,
    CustomerMovement,
    acquisition_rate,
    attrition_rate,
    customer_acquisition_cost,
    customer_growth_index,
    ltv_to_cac,
    period_metrics,
)

Q1 = (date(2025, 1, 1), date(2025, 3, 31))


def test_an_empty_start_leaves_rates_undefined() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=0, acquired=10, lost=0)
    assert acquisition_rate(movement) is None
    assert attrition_rate(movement) is None
    assert customer_growth_index(movement) is None
    assert movement.customers_at_end == 10


def test_shrinking_base_has_a_growth_index_below_100() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=200, acquired=10, lost=30)
    assert customer_growth_index(movement) == 90.0


def test_zero_spend_gives_zero_cac_and_no_ratio() -> None:
    cac = customer_acquisition_cost(AcquisitionSpend(0.0, 0.0), acquired=5)
    assert cac == 0.0
    assert ltv_to_cac(300.0, cac) is None


def test_no_acquisitions_leave_cac_undefined() -> None:
    assert customer_acquisition_cost(AcquisitionSpend(1000.0, 0.0), acquired=0) is None
    assert ltv_to_cac(300.0, None) is None


def test_period_metrics_leave_out_undefined_values() -> None:
    movement = CustomerMovement(*Q1, customers_at_start=100, acquired=0, lost=5)
    metrics = period_metrics(movement, AcquisitionSpend(500.0, 0.0), average_clv=None)
    assert [m.name for m in metrics] == [
        "acquisition_rate",
        "attrition_rate",
        "customer_growth_index",
    ]
    assert metrics[0].details["period_start"] == "2025-01-01"
    assert metrics[0].details is not metrics[1].details
