"""Aggregate-only period metrics: acquisition, attrition, growth, CAC and LTV:CAC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.metrics import names
from app.metrics.values import MetricValue


@dataclass(frozen=True, slots=True)
class CustomerMovement:
    """Customer counts over one period: at its start, gained and lost during it."""

    period_start: date
    period_end: date
    customers_at_start: int
    acquired: int
    lost: int

    @property
    def customers_at_end(self) -> int:
        """Customers at the end of the period."""
        return self.customers_at_start + self.acquired - self.lost


@dataclass(frozen=True, slots=True)
class AcquisitionSpend:
    """Configured marketing and sales spend for one period, in the reporting currency."""

    marketing: float
    sales: float

    @property
    def total(self) -> float:
        """Marketing plus sales spend."""
        return self.marketing + self.sales


def acquisition_rate(movement: CustomerMovement) -> float | None:
    """New customers / customers at start; None when the period starts with none."""
    if movement.customers_at_start == 0:
        return None
    return movement.acquired / movement.customers_at_start


def attrition_rate(movement: CustomerMovement) -> float | None:
    """Lost customers / customers at start; None when the period starts with none."""
    if movement.customers_at_start == 0:
        return None
    return movement.lost / movement.customers_at_start


def customer_growth_index(movement: CustomerMovement) -> float | None:
    """100 x customers at end / customers at start (100 = no net growth)."""
    if movement.customers_at_start == 0:
        return None
    return 100.0 * movement.customers_at_end / movement.customers_at_start


def customer_acquisition_cost(spend: AcquisitionSpend, acquired: int) -> float | None:
    """(Marketing + sales spend) / new customers; None when nobody was acquired."""
    if acquired == 0:
        return None
    return spend.total / acquired


def ltv_to_cac(average_clv: float, cac: float | None) -> float | None:
    """Average CLV of the acquired customers / CAC; None when CAC is zero or undefined."""
    if not cac:
        return None
    return average_clv / cac


def period_metrics(
    movement: CustomerMovement, spend: AcquisitionSpend, *, average_clv: float | None
) -> list[MetricValue]:
    """All period metrics that are defined, ready to store (undefined ones are left out)."""
    cac = customer_acquisition_cost(spend, movement.acquired)
    ratio = None if average_clv is None else ltv_to_cac(average_clv, cac)
    details = {
        "period_start": movement.period_start.isoformat(),
        "period_end": movement.period_end.isoformat(),
        "customers_at_start": movement.customers_at_start,
        "acquired": movement.acquired,
        "lost": movement.lost,
        "spend": spend.total,
    }
    candidates = (
        (names.ACQUISITION_RATE, acquisition_rate(movement)),
        (names.ATTRITION_RATE, attrition_rate(movement)),
        (names.CUSTOMER_GROWTH_INDEX, customer_growth_index(movement)),
        (names.CAC, cac),
        (names.LTV_TO_CAC, ratio),
    )
    return [
        MetricValue(name, value, names.METHOD_PERIOD, dict(details))
        for name, value in candidates
        if value is not None
    ]
