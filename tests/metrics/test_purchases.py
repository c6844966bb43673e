from __future__ import annotations

from datetime import timedelta

import pytest

from app.metrics import MetricParams, Order
from app.metrics.purchases import (
    annual_frequency,
    average_order_value,
    median_gap_days,
    orders_within,
    population_average_order_value,
    population_purchase_frequency,
    recency_days,
    repeat_purchase_rate,
    spend_drop,
    summarize_orders,
)
from tests.metrics.factories import AS_OF, day

PARAMS = MetricParams()


def history_of(*orders: Order, params: MetricParams = PARAMS):
    return summarize_orders(orders, as_of=AS_OF, params=params)


def test_no_orders() -> None:
    history = history_of()
    assert (history.order_count, history.net_revenue) == (0, 0.0)
    assert average_order_value(history) is None
    assert recency_days(history, AS_OF) is None
    assert annual_frequency(history, AS_OF) is None
    assert median_gap_days(history) is None


def test_one_order() -> None:
    history = history_of(Order("1", AS_OF - timedelta(days=10), 40.0))
    assert history.order_count == 1
    assert average_order_value(history) == 40.0
    assert recency_days(history, AS_OF) == pytest.approx(10.0)
    # Tenure under a year counts as one year.
    assert annual_frequency(history, AS_OF) == 1.0
    assert median_gap_days(history) is None


def test_partial_refund_reduces_revenue_and_order_value() -> None:
    history = history_of(Order("1", day(2025, 1, 1), 100.0, refunded_amount=30.0))
    assert history.net_revenue == 70.0
    assert average_order_value(history) == 70.0


def test_fully_refunded_order_is_not_a_purchase() -> None:
    history = history_of(
        Order("1", day(2025, 1, 1), 100.0),
        Order("2", day(2025, 6, 1), 50.0, refunded_amount=50.0),
    )
    assert history.order_count == 1
    assert history.net_revenue == 100.0
    assert recency_days(history, AS_OF) == pytest.approx(180.0)


def test_refund_beyond_the_order_lowers_revenue() -> None:
    history = history_of(
        Order("1", day(2025, 1, 1), 100.0), Order("2", day(2025, 2, 1), 10.0, refunded_amount=15.0)
    )
    assert history.net_revenue == 95.0
    assert history.order_count == 1


def test_orders_after_as_of_are_ignored() -> None:
    history = history_of(Order("1", AS_OF + timedelta(seconds=1), 100.0))
    assert (history.order_count, history.net_revenue) == (0, 0.0)


def test_currencies_are_converted_or_counted_as_unconverted() -> None:
    params = MetricParams(currency="EUR", fx_rates={"GBP": 1.2})
    history = history_of(
        Order("1", day(2025, 1, 1), 100.0, currency="GBP"),
        Order("2", day(2025, 1, 2), 100.0, currency="USD"),
        params=params,
    )
    assert history.net_revenue == pytest.approx(120.0)
    assert history.unconverted_orders == 1


def test_orders_are_sorted_and_gaps_use_the_median() -> None:
    history = history_of(
        Order("c", day(2025, 1, 31), 10.0),
        Order("a", day(2025, 1, 1), 10.0),
        Order("b", day(2025, 1, 11), 10.0),
        Order("d", day(2025, 3, 1), 10.0),
    )
    assert [placed for placed, _ in history.kept] == sorted(placed for placed, _ in history.kept)
    # Gaps 10, 20, 29 days.
    assert median_gap_days(history) == 20.0


def test_orders_within_counts_the_trailing_window_inclusive() -> None:
    history = history_of(
        Order("1", AS_OF - timedelta(days=365), 10.0),
        Order("2", AS_OF - timedelta(days=366), 10.0),
    )
    assert orders_within(history, as_of=AS_OF, days=365) == 1


def test_annual_frequency_over_a_long_tenure() -> None:
    history = history_of(*(Order(str(i), AS_OF - timedelta(days=730 - i), 10.0) for i in range(4)))
    assert annual_frequency(history, AS_OF) == pytest.approx(4 / 2)


def test_spend_drop() -> None:
    recent = Order("r", AS_OF - timedelta(days=10), 25.0)
    previous = Order("p", AS_OF - timedelta(days=200), 100.0)
    assert spend_drop(history_of(recent, previous), as_of=AS_OF, window_days=180) == 0.75
    # Rising spend, and no baseline, are not a drop.
    rising = history_of(Order("r", AS_OF, 200.0), previous)
    assert spend_drop(rising, as_of=AS_OF, window_days=180) == 0.0
    assert spend_drop(history_of(recent), as_of=AS_OF, window_days=180) == 0.0


def test_repeat_purchase_rate_ignores_non_buyers() -> None:
    assert repeat_purchase_rate([0, 0]) is None
    assert repeat_purchase_rate([1, 1, 3]) == pytest.approx(1 / 3)


def test_population_frequency_and_order_value() -> None:
    assert population_purchase_frequency(30, 10) == 3.0
    assert population_purchase_frequency(0, 0) is None
    assert population_average_order_value(500.0, 4) == 125.0
    assert population_average_order_value(0.0, 0) is None
