from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from app.metrics import (
    CustomerActivity,
    MetricParams,
    Order,
    RfmBreakpoints,
    Ticket,
    TicketStatus,
    compute_customer_metrics,
    names,
)
from tests.metrics.factories import AS_OF, csat, nps
from tests.metrics.test_worked_examples import JANE

PARAMS = MetricParams()


def metrics_of(activity: CustomerActivity, **kwargs) -> dict[str, float]:
    result = compute_customer_metrics(activity, as_of=AS_OF, params=PARAMS, **kwargs)
    return {m.name: m.value for m in result}


def test_a_prospect_gets_only_what_is_defined() -> None:
    assert metrics_of(CustomerActivity()) == {
        names.ORDER_COUNT: 0.0,
        names.REPEAT_CUSTOMER: 0.0,
        names.PURCHASE_FREQUENCY: 0.0,
        names.CLV_HISTORICAL: 0.0,
        names.PROFITABILITY: 0.0,
        names.ENGAGEMENT_SCORE: 0.0,
    }


def test_one_order_customer() -> None:
    values = metrics_of(CustomerActivity(orders=(Order("1", AS_OF - timedelta(days=45), 80.0),)))
    assert values[names.REPEAT_CUSTOMER] == 0.0
    assert values[names.AVERAGE_ORDER_VALUE] == 80.0
    assert values[names.RECENCY_DAYS] == pytest.approx(45.0)
    # 80 x 1 order/year x 0.3 margin x 1.2 lifetime factor.
    assert values[names.CLV_PREDICTED] == pytest.approx(28.8)
    assert names.CHURN_RISK in values
    assert names.RFM_SEGMENT not in values


def test_one_order_customer_uses_the_default_gap_for_churn() -> None:
    result = compute_customer_metrics(
        CustomerActivity(orders=(Order("1", AS_OF - timedelta(days=180), 80.0),)),
        as_of=AS_OF,
        params=MetricParams(default_purchase_gap_days=60.0),
    )
    churn = next(m for m in result if m.name == names.CHURN_RISK)
    assert churn.details["gap_days"] == 60.0
    assert churn.details["features"]["overdue"] == pytest.approx(2.0)


def test_only_refunded_orders_mean_no_buyer_metrics() -> None:
    refunded = Order("1", AS_OF - timedelta(days=5), 80.0, refunded_amount=80.0)
    values = metrics_of(CustomerActivity(orders=(refunded,)))
    assert values[names.ORDER_COUNT] == 0.0
    assert values[names.CLV_HISTORICAL] == 0.0
    assert names.AVERAGE_ORDER_VALUE not in values
    assert names.CHURN_RISK not in values


def test_all_passive_answers() -> None:
    values = metrics_of(CustomerActivity(answers=(nps(7), nps(8, AS_OF - timedelta(days=1)))))
    assert (values[names.NPS], values[names.NPS_CATEGORY]) == (7.0, 0.0)


def test_no_answers_mean_no_survey_metrics() -> None:
    values = metrics_of(CustomerActivity())
    assert not {names.NPS, names.NPS_CATEGORY, names.CSAT, names.CES} & values.keys()


def test_rfm_needs_stored_breakpoints() -> None:
    population = RfmBreakpoints((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), population=4)
    values = metrics_of(JANE, population=population)
    assert (values[names.RFM_RECENCY], values[names.RFM_FREQUENCY]) == (1.0, 3.0)
    assert names.RFM_SEGMENT not in metrics_of(JANE)


def test_closed_and_future_tickets_are_not_open_complaints() -> None:
    activity = CustomerActivity(
        orders=(Order("1", AS_OF, 10.0),),
        tickets=(
            Ticket(AS_OF - timedelta(days=3), AS_OF - timedelta(days=1), is_complaint=True),
            Ticket(AS_OF - timedelta(days=3), status=TicketStatus.CLOSED, is_complaint=True),
            Ticket(AS_OF + timedelta(days=1), is_complaint=True),
        ),
    )
    result = compute_customer_metrics(activity, as_of=AS_OF, params=PARAMS)
    by_name = {m.name: m for m in result}
    assert by_name[names.CHURN_RISK].details["features"]["open_complaints"] == 0.0
    assert by_name[names.PROFITABILITY].details["tickets"] == 2


def test_every_name_is_a_declared_constant_and_details_are_json() -> None:
    result = compute_customer_metrics(
        JANE,
        as_of=AS_OF,
        params=PARAMS,
        population=RfmBreakpoints.from_dict(
            {
                "recency_days": [1, 2, 3, 4],
                "frequency": [1, 2, 3, 4],
                "monetary": [1, 2, 3, 4],
                "population": 4,
            }
        ),
    )
    assert {m.name for m in result} <= set(names.CUSTOMER_METRICS)
    assert all(isinstance(m.value, float) for m in result)
    json.dumps([m.details for m in result])


def test_csat_window_follows_params() -> None:
    old = csat(5, AS_OF - timedelta(days=100))
    activity = CustomerActivity(answers=(old,))
    assert names.CSAT in metrics_of(activity)
    narrow = compute_customer_metrics(
        activity, as_of=AS_OF, params=MetricParams(survey_window_days=30)
    )
    assert names.CSAT not in {m.name for m in narrow}


def test_naive_as_of_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_customer_metrics(CustomerActivity(), as_of=datetime(2025, 1, 1), params=PARAMS)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gross_margin": 1.5},
        {"annual_retention": 1.0},
        {"annual_discount_rate": -0.1},
        {"cost_per_ticket": -1.0},
        {"survey_window_days": 0.0},
    ],
)
def test_invalid_params_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        MetricParams(**kwargs)
