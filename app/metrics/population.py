"""Aggregate-only period metrics: acquisition, attrition, growth, churn, CAC, LTV:CAC, payback,
repeat purchase rate and ARPU of a period (docs/metrics.md, "Business metrics").

Pure functions over counts and sums; `period_metrics` evaluates all of them for one group of one
period, each with its definition, its n and, where it is undefined, the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.metrics import names
from app.metrics.params import MetricParams
from app.metrics.purchases import repeat_rate

DAYS_PER_MONTH = 365 / 12

NO_CUSTOMERS_AT_START = "no customers at the start of the period"
NO_SPEND = "no acquisition spend recorded for the period"
NOBODY_ACQUIRED = "no customer acquired in the period"
NO_CLV = "no acquired customer has a predicted CLV"
NO_REVENUE = "no acquired customer has a net revenue"
NO_BUYERS = "no acquired customer has bought"
ZERO_CAC = "CAC is zero"
ZERO_CLV = "the average predicted CLV is not positive"


@dataclass(frozen=True, slots=True)
class CustomerMovement:
    """Customer counts over one period (inclusive dates): at its start, gained and lost."""

    period_start: date
    period_end: date
    customers_at_start: int
    acquired: int
    lost: int

    @property
    def customers_at_end(self) -> int:
        """Customers at the end of the period."""
        return self.customers_at_start + self.acquired - self.lost

    @property
    def months(self) -> float:
        """The period's length in months of 365/12 days."""
        return ((self.period_end - self.period_start).days + 1) / DAYS_PER_MONTH


@dataclass(frozen=True, slots=True)
class CohortValues:
    """Sums over the customers acquired in the period, from their current metric values."""

    buyers: int = 0
    repeat_buyers: int = 0
    with_clv: int = 0
    clv_sum: float = 0.0
    with_revenue: int = 0
    revenue_sum: float = 0.0


@dataclass(frozen=True, slots=True)
class PeriodValue:
    """One metric of one group: its value (None when undefined, with the reason), the
    definition that computed it and the number of customers behind it."""

    value: float | None
    definition: str
    n: int
    reason: str | None = None


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


def monthly_churn_rate(movement: CustomerMovement) -> float | None:
    """The attrition rate as a constant monthly rate: 1 - (1 - attrition) ^ (1 / months)."""
    attrition = attrition_rate(movement)
    if attrition is None:
        return None
    return 1.0 - float(max(0.0, 1.0 - attrition) ** (1.0 / movement.months))


def customer_acquisition_cost(spend: float | None, acquired: int) -> float | None:
    """Spend / new customers; None without recorded spend or when nobody was acquired."""
    if spend is None or acquired == 0:
        return None
    return spend / acquired


def ltv_to_cac(average_clv: float | None, cac: float | None) -> float | None:
    """Average CLV of the acquired customers / CAC; None when CAC is zero or undefined."""
    if average_clv is None or not cac:
        return None
    return average_clv / cac


def cac_payback_months(
    average_clv: float | None, cac: float | None, params: MetricParams
) -> float | None:
    """Months of an acquired customer's gross margin that pay back CAC.

    The monthly margin is that of `clv_predicted`'s model: annual margin = CLV / L, with
    L = r / (1 + d - r); so payback = 12 x L x CAC / average CLV."""
    if average_clv is None or average_clv <= 0 or cac is None:
        return None
    retention = params.annual_retention
    lifetime = retention / (1 + params.annual_discount_rate - retention)
    return 12.0 * lifetime * cac / average_clv


def _mean(total: float, n: int) -> float | None:
    return total / n if n else None


def period_metrics(
    movement: CustomerMovement,
    spend: float | None,
    cohort: CohortValues,
    *,
    cost_basis: str,
    params: MetricParams,
) -> dict[str, PeriodValue]:
    """Every business metric of one group of one period, by name (names.BUSINESS_METRICS)."""
    start = movement.customers_at_start
    acquired = movement.acquired
    cac = customer_acquisition_cost(spend, acquired)
    cac_reason = NO_SPEND if spend is None else NOBODY_ACQUIRED
    average_clv = _mean(cohort.clv_sum, cohort.with_clv)
    ratio = ltv_to_cac(average_clv, cac)
    payback = cac_payback_months(average_clv, cac, params)

    def value(result: float | None, definition: str, n: int, reason: str | None) -> PeriodValue:
        return PeriodValue(result, definition, n, None if result is not None else reason)

    def after_cac(result: float | None, definition: str, zero_reason: str) -> PeriodValue:
        if cac is None:
            reason = cac_reason
        elif average_clv is None:
            reason = NO_CLV
        else:
            reason = zero_reason
        return value(result, definition, cohort.with_clv, reason)

    return {
        names.ACQUISITION_RATE: value(
            acquisition_rate(movement), names.DEF_ACQUISITION_RATE, start, NO_CUSTOMERS_AT_START
        ),
        names.ATTRITION_RATE: value(
            attrition_rate(movement), names.DEF_ATTRITION_RATE, start, NO_CUSTOMERS_AT_START
        ),
        names.CUSTOMER_GROWTH_INDEX: value(
            customer_growth_index(movement), names.DEF_GROWTH_INDEX, start, NO_CUSTOMERS_AT_START
        ),
        names.CHURN_RATE: value(
            monthly_churn_rate(movement), names.DEF_CHURN_RATE, start, NO_CUSTOMERS_AT_START
        ),
        names.CAC: value(cac, names.DEF_CAC[cost_basis], acquired, cac_reason),
        names.AVERAGE_CLV: value(average_clv, names.DEF_AVERAGE_CLV, cohort.with_clv, NO_CLV),
        names.LTV_TO_CAC: after_cac(ratio, names.DEF_LTV_TO_CAC, ZERO_CAC),
        names.CAC_PAYBACK_MONTHS: after_cac(payback, names.DEF_CAC_PAYBACK, ZERO_CLV),
        names.REPEAT_PURCHASE_RATE: value(
            repeat_rate(buyers=cohort.buyers, repeat_buyers=cohort.repeat_buyers),
            names.DEF_REPEAT_PURCHASE_RATE,
            cohort.buyers,
            NO_BUYERS,
        ),
        names.ARPU: value(
            _mean(cohort.revenue_sum, cohort.with_revenue),
            names.DEF_ARPU,
            cohort.with_revenue,
            NO_REVENUE,
        ),
    }
