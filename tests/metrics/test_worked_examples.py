"""The worked examples of docs/metrics.md, number for number."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.metrics import (
    CustomerActivity,
    EmailEvent,
    EmailEventKind,
    Interaction,
    MetricParams,
    Order,
    RfmInputs,
    Ticket,
    TicketStatus,
    compute_customer_metrics,
    rfm_breakpoints,
)
from app.metrics.population import CohortValues, CustomerMovement, period_metrics
from app.metrics.purchases import repeat_purchase_rate
from app.metrics.surveys import ces_estimate, csat_estimate, nps_estimate
from tests.metrics.factories import AS_OF, csat, day, nps

APPROX = {"abs": 5e-3}
POPULATION = [
    RfmInputs(10, 1, 50),
    RfmInputs(40, 1, 120),
    RfmInputs(90, 2, 260),
    RfmInputs(200, 3, 400),
    RfmInputs(400, 8, 900),
]


def test_nps_example() -> None:
    result = nps_estimate([10, 9, 9, 8, 7, 6, 5, 10, 3, 8])
    assert result is not None
    assert result.n == 10
    assert result.value == pytest.approx(10.0)
    assert result.ci_low == pytest.approx(-41.48, **APPROX)
    assert result.ci_high == pytest.approx(61.48, **APPROX)


def test_csat_example() -> None:
    result = csat_estimate([5, 4, 4, 3, 2, 5, 4, 1])
    assert result is not None
    assert (result.value, result.n) == (62.5, 8)
    assert result.ci_low == pytest.approx(30.57, **APPROX)
    assert result.ci_high == pytest.approx(86.32, **APPROX)


def test_ces_example() -> None:
    result = ces_estimate([2, 3, 5, 4])
    assert result is not None
    assert (result.value, result.n) == (3.5, 4)
    assert result.ci_low == pytest.approx(1.45, **APPROX)
    assert result.ci_high == pytest.approx(5.55, **APPROX)


def test_rfm_breakpoints_example() -> None:
    population = rfm_breakpoints(POPULATION)
    assert population.recency_days == pytest.approx((34, 70, 134, 240))
    assert population.frequency == pytest.approx((1, 1.6, 2.4, 4))
    assert population.monetary == pytest.approx((106, 204, 316, 500))
    assert population.population == 5


JANE = CustomerActivity(
    orders=(
        Order("A", day(2024, 1, 1), 100.0),
        Order("B", day(2024, 7, 1), 80.0, refunded_amount=80.0),
        Order("C", day(2024, 10, 1), 120.0, refunded_amount=20.0),
        Order("D", day(2025, 4, 1), 60.0),
        Order("E", day(2025, 7, 15), 500.0),
    ),
    answers=(
        nps(9, day(2024, 5, 1)),
        nps(4, day(2025, 5, 20)),
        csat(5, day(2025, 3, 1)),
        csat(2, day(2024, 1, 15)),
    ),
    tickets=(
        Ticket(day(2025, 6, 1), is_complaint=True),
        Ticket(day(2025, 2, 1), day(2025, 2, 3), TicketStatus.CLOSED),
    ),
    email_events=(
        EmailEvent(EmailEventKind.CLICK, AS_OF),
        EmailEvent(EmailEventKind.OPEN, AS_OF - timedelta(days=60)),
        EmailEvent(EmailEventKind.SENT, AS_OF - timedelta(days=1)),
    ),
    interactions=(Interaction(AS_OF - timedelta(days=30), "phone"),),
)


def test_customer_example() -> None:

    metrics = compute_customer_metrics(
        JANE, as_of=AS_OF, params=MetricParams(), population=rfm_breakpoints(POPULATION)
    )

    values = {m.name: m.value for m in metrics}
    assert values == pytest.approx(
        {
            "nps": 4,
            "nps_category": -1,
            "csat": 100.0,
            "order_count": 3,
            "repeat_customer": 1,
            "purchase_frequency": 2,
            "clv_historical": 260.0,
            "average_order_value": 86.6667,
            "recency_days": 90.0,
            "clv_predicted": 62.5714,
            "rfm_recency": 3,
            "rfm_frequency": 4,
            "rfm_monetary": 3,
            "rfm_segment": 2,
            "profitability": 48.0,
            "engagement_score": 27.2727,
            "churn_risk": 0.6225,
        },
        abs=1e-4,
    )
    details = {m.name: m.details for m in metrics}
    assert details["rfm_segment"]["segment"] == "loyal"
    assert details["csat"]["ci95"] == pytest.approx([20.65, 100.0], **APPROX)
    churn = details["churn_risk"]
    assert churn["gap_days"] == 228.0
    assert [r["code"] for r in churn["reasons"]] == ["detractor", "open_complaints", "spend_drop"]
    assert [r["contribution"] for r in churn["reasons"]] == pytest.approx([1.2, 0.7, 0.6])


def test_repeat_purchase_rate_example() -> None:
    assert repeat_purchase_rate([0, 1, 2, 5, 1]) == 0.5


def test_period_example() -> None:
    movement = CustomerMovement(date(2025, 1, 1), date(2025, 3, 31), 1000, 150, 100)
    cohort = CohortValues(with_clv=150, clv_sum=150 * 500.0)

    values = {
        name: value.value
        for name, value in period_metrics(
            movement, 30_000.0, cohort, cost_basis="FULLY_LOADED", params=MetricParams()
        ).items()
        if value.value is not None
    }

    assert values == pytest.approx(
        {
            "acquisition_rate": 0.15,
            "attrition_rate": 0.10,
            "customer_growth_index": 105.0,
            "churn_rate": 1 - 0.9 ** (1 / (90 / (365 / 12))),
            "cac": 200.0,
            "average_clv": 500.0,
            "ltv_to_cac": 2.5,
            "cac_payback_months": 5.76,
        }
    )
