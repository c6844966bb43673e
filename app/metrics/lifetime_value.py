"""Customer lifetime value (historical and predicted) and customer profitability.

Predicted CLV uses the retention-based margin model (Gupta & Lehmann 2003):

    annual margin  m = AOV x annual frequency x gross margin
    lifetime factor  = r / (1 + d - r)      (r annual retention, d annual discount rate)
    predicted CLV    = m x lifetime factor

It is O(1) per customer, needs no fitted population model, stays defined for a one-order
customer, and each factor can be explained to a business user. BG/NBD + Gamma-Gamma models
per-customer "alive" probability better for non-contractual retail, but needs a population
fit and a hypergeometric function per customer; it is left for a later method version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PredictedClv:
    """Predicted CLV and the factors it came from (stored as details)."""

    value: float
    annual_margin: float
    lifetime_factor: float


def lifetime_factor(annual_retention: float, annual_discount_rate: float) -> float:
    """r / (1 + d - r): discounted expected number of future years of margin."""
    return annual_retention / (1.0 + annual_discount_rate - annual_retention)


def predicted_clv(
    *,
    average_order_value: float,
    annual_frequency: float,
    gross_margin: float,
    annual_retention: float,
    annual_discount_rate: float,
) -> PredictedClv:
    """Future margin of a buyer under the retention-based model above."""
    margin = average_order_value * annual_frequency * gross_margin
    factor = lifetime_factor(annual_retention, annual_discount_rate)
    return PredictedClv(margin * factor, margin, factor)


def profitability(
    *, net_revenue: float, gross_margin: float, tickets: int, cost_per_ticket: float
) -> float:
    """Gross margin earned to date minus the estimated cost of serving the customer's tickets."""
    return net_revenue * gross_margin - tickets * cost_per_ticket
