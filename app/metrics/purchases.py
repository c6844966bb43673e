"""Purchase behaviour of one customer (kept orders, recency, frequency, AOV, spend trend) and
its population aggregates (repeat purchase rate, purchase frequency, AOV).

An order counts as a purchase ("kept") when its net amount after refunds is positive: a fully
refunded order is treated as if it never happened, except that it still adds its (zero or
negative) net to revenue.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.metrics.activity import Order
from app.metrics.params import MetricParams

SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True, slots=True)
class PurchaseHistory:
    """One customer's orders up to `as_of`, in the reporting currency.

    `kept` holds (placed_at, amount after refunds) of kept orders, oldest first.
    """

    kept: list[tuple[datetime, float]]
    net_revenue: float
    unconverted_orders: int

    @property
    def order_count(self) -> int:
        """Number of kept orders."""
        return len(self.kept)


def summarize_orders(
    orders: Iterable[Order], *, as_of: datetime, params: MetricParams
) -> PurchaseHistory:
    """Convert, filter (placed up to `as_of`) and sort one customer's orders."""
    kept: list[tuple[datetime, float]] = []
    net_revenue = 0.0
    unconverted = 0
    for order in orders:
        if order.placed_at > as_of:
            continue
        rate = params.rate_for(order.currency)
        if rate is None:
            unconverted += 1
            continue
        amount = (order.net_amount - order.refunded_amount) * rate
        net_revenue += amount
        if amount > 0.0:
            kept.append((order.placed_at, amount))
    kept.sort()
    return PurchaseHistory(kept, net_revenue, unconverted)


def days_between(earlier: datetime, later: datetime) -> float:
    """Elapsed days as a float (fractions of a day count)."""
    return (later - earlier).total_seconds() / SECONDS_PER_DAY


def recency_days(history: PurchaseHistory, as_of: datetime) -> float | None:
    """Days since the last kept order; None without one."""
    if not history.kept:
        return None
    return days_between(history.kept[-1][0], as_of)


def average_order_value(history: PurchaseHistory) -> float | None:
    """Mean amount after refunds of kept orders; None without one."""
    if not history.kept:
        return None
    return sum(amount for _, amount in history.kept) / len(history.kept)


def orders_within(history: PurchaseHistory, *, as_of: datetime, days: float) -> int:
    """Kept orders placed in the `days` before `as_of` (start inclusive)."""
    start = as_of - timedelta(days=days)
    return sum(1 for placed_at, _ in history.kept if placed_at >= start)


def annual_frequency(history: PurchaseHistory, as_of: datetime) -> float | None:
    """Kept orders per year of tenure (first kept order to `as_of`), tenure at least one year.

    The one-year floor keeps a first-week customer from extrapolating to 50 orders a year.
    """
    if not history.kept:
        return None
    tenure_years = max(days_between(history.kept[0][0], as_of) / DAYS_PER_YEAR, 1.0)
    return len(history.kept) / tenure_years


def median_gap_days(history: PurchaseHistory) -> float | None:
    """Median days between consecutive kept orders; None below two orders."""
    kept = history.kept
    if len(kept) < 2:
        return None
    return statistics.median(days_between(kept[i - 1][0], kept[i][0]) for i in range(1, len(kept)))


def spend_drop(history: PurchaseHistory, *, as_of: datetime, window_days: float) -> float:
    """How far spend fell: 1 - recent/previous over two adjacent windows, within 0-1.

    0 when nothing was spent in the previous window (no baseline) or spend did not fall.
    """
    recent_start = as_of - timedelta(days=window_days)
    previous_start = recent_start - timedelta(days=window_days)
    recent = previous = 0.0
    for placed_at, amount in history.kept:
        if placed_at >= recent_start:
            recent += amount
        elif placed_at >= previous_start:
            previous += amount
    if previous <= 0.0:
        return 0.0
    return max(0.0, 1.0 - recent / previous)


def repeat_purchase_rate(order_counts: Iterable[int]) -> float | None:
    """Share of buyers (>= 1 kept order) with 2 or more; None without buyers."""
    buyers = repeaters = 0
    for count in order_counts:
        if count >= 1:
            buyers += 1
            repeaters += count >= 2
    return repeat_rate(buyers=buyers, repeat_buyers=repeaters)


def repeat_rate(*, buyers: int, repeat_buyers: int) -> float | None:
    """Repeat buyers / buyers, from counts; None without buyers."""
    return repeat_buyers / buyers if buyers else None


def population_purchase_frequency(total_orders: int, buyers: int) -> float | None:
    """Orders per buyer over a period; None without buyers."""
    return total_orders / buyers if buyers else None


def population_average_order_value(revenue: float, orders: int) -> float | None:
    """Revenue after refunds per kept order over a period; None without orders."""
    return revenue / orders if orders else None
