from __future__ import annotations

import pytest

from app.metrics.lifetime_value import lifetime_factor, predicted_clv, profitability


def test_lifetime_factor() -> None:
    assert lifetime_factor(0.6, 0.1) == pytest.approx(1.2)
    assert lifetime_factor(0.0, 0.1) == 0.0
    # Without discounting the factor is r / (1 - r): 0.8 retention gives 4 future years.
    assert lifetime_factor(0.8, 0.0) == pytest.approx(4.0)


def test_predicted_clv_multiplies_the_factors() -> None:
    clv = predicted_clv(
        average_order_value=50.0,
        annual_frequency=4.0,
        gross_margin=0.25,
        annual_retention=0.5,
        annual_discount_rate=0.0,
    )
    assert clv.annual_margin == 50.0
    assert clv.lifetime_factor == 1.0
    assert clv.value == 50.0


def test_profitability_subtracts_servicing_cost() -> None:
    assert profitability(net_revenue=1000.0, gross_margin=0.4, tickets=3, cost_per_ticket=20.0) == (
        340.0
    )
    # A customer with tickets and no purchases costs money.
    assert profitability(net_revenue=0.0, gross_margin=0.4, tickets=2, cost_per_ticket=20.0) == (
        -40.0
    )
