"""The per-customer entry point of the recompute job: every metric of one customer at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.metrics import names
from app.metrics.activity import CustomerActivity
from app.metrics.churn import ChurnSignals, churn_risk
from app.metrics.engagement import engagement
from app.metrics.lifetime_value import predicted_clv, profitability
from app.metrics.params import MetricParams
from app.metrics.purchases import (
    PurchaseHistory,
    annual_frequency,
    average_order_value,
    median_gap_days,
    orders_within,
    recency_days,
    spend_drop,
    summarize_orders,
)
from app.metrics.rfm import (
    SEGMENT_CODE,
    RfmBreakpoints,
    RfmInputs,
    fm_score,
    rfm_segment,
    score_rfm,
)
from app.metrics.surveys import (
    NPS_CATEGORY_VALUE,
    SurveySummary,
    ces_estimate,
    csat_estimate,
    nps_category,
    summarize_answers,
)
from app.metrics.values import MetricValue


def compute_customer_metrics(
    activity: CustomerActivity,
    *,
    as_of: datetime,
    params: MetricParams,
    population: RfmBreakpoints | None = None,
) -> list[MetricValue]:
    """Every per-customer metric defined for `activity` as of `as_of` (timezone-aware).

    Undefined metrics are absent, not None: no NPS answer means no `nps`; no kept order means
    no AOV, recency, RFM, predicted CLV or churn risk. RFM scores need `population` (stored
    breakpoints), so one customer can be recomputed without the rest.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    out: list[MetricValue] = []
    surveys = summarize_answers(
        activity.answers, as_of=as_of, window_days=params.survey_window_days
    )
    _add_survey_metrics(out, surveys)
    history = summarize_orders(activity.orders, as_of=as_of, params=params)
    recency = _add_purchase_metrics(out, history, as_of, params, population)

    tickets = 0
    open_complaints = 0
    for ticket in activity.tickets:
        if ticket.opened_at <= as_of:
            tickets += 1
            open_complaints += ticket.is_complaint and ticket.is_open_at(as_of)
    out.append(
        MetricValue(
            names.PROFITABILITY,
            profitability(
                net_revenue=history.net_revenue,
                gross_margin=params.gross_margin,
                tickets=tickets,
                cost_per_ticket=params.cost_per_ticket,
            ),
            names.METHOD_PROFITABILITY,
            {
                "currency": params.currency,
                "tickets": tickets,
                "cost_per_ticket": params.cost_per_ticket,
            },
        )
    )
    scored = engagement(activity.interactions, activity.email_events, as_of=as_of)
    out.append(
        MetricValue(
            names.ENGAGEMENT_SCORE,
            scored.score,
            names.METHOD_ENGAGEMENT,
            {"points": scored.points, "events": scored.events},
        )
    )
    if recency is not None:
        signals = _churn_signals(
            history, surveys, as_of, recency, params, open_complaints, activity.unsubscribed
        )
        risk = churn_risk(signals)
        details = {"reasons": risk.reasons, "features": risk.features, "gap_days": signals.gap_days}
        out.append(MetricValue(names.CHURN_RISK, risk.risk, names.METHOD_CHURN, details))
    return out


def _add_survey_metrics(out: list[MetricValue], surveys: SurveySummary) -> None:
    latest = surveys.latest_nps
    if latest is not None:
        category = nps_category(latest.score)
        details = {
            "category": category.value,
            "answered_at": latest.answered_at.isoformat(),
            "n": surveys.nps_count,
        }
        out.append(MetricValue(names.NPS, float(latest.score), names.METHOD_NPS_LATEST, details))
        out.append(
            MetricValue(
                names.NPS_CATEGORY,
                NPS_CATEGORY_VALUE[category],
                names.METHOD_NPS_LATEST,
                {"category": category.value, "score": latest.score},
            )
        )
    csat = csat_estimate(surveys.csat_scores)
    if csat is not None:
        out.append(MetricValue(names.CSAT, csat.value, names.METHOD_CSAT, csat.details()))
    ces = ces_estimate(surveys.ces_scores)
    if ces is not None:
        out.append(MetricValue(names.CES, ces.value, names.METHOD_CES, ces.details()))


def _add_purchase_metrics(
    out: list[MetricValue],
    history: PurchaseHistory,
    as_of: datetime,
    params: MetricParams,
    population: RfmBreakpoints | None,
) -> float | None:
    """Append purchase and CLV metrics; return the recency (None without a kept order)."""
    count = history.order_count
    money: dict[str, Any] = {"currency": params.currency}
    if history.unconverted_orders:
        money["unconverted_orders"] = history.unconverted_orders
    method = names.METHOD_ORDERS
    window = params.frequency_window_days
    out.append(MetricValue(names.ORDER_COUNT, float(count), method, {}))
    out.append(MetricValue(names.REPEAT_CUSTOMER, 1.0 if count >= 2 else 0.0, method, {}))
    out.append(
        MetricValue(
            names.PURCHASE_FREQUENCY,
            float(orders_within(history, as_of=as_of, days=window)),
            method,
            {"window_days": window},
        )
    )
    out.append(
        MetricValue(names.CLV_HISTORICAL, history.net_revenue, names.METHOD_CLV_HISTORICAL, money)
    )
    aov = average_order_value(history)
    recency = recency_days(history, as_of)
    frequency = annual_frequency(history, as_of)
    if aov is None or recency is None or frequency is None:
        return None
    out.append(MetricValue(names.AVERAGE_ORDER_VALUE, aov, method, {**money, "n": count}))
    last_order_at = history.kept[-1][0].isoformat()
    out.append(MetricValue(names.RECENCY_DAYS, recency, method, {"last_order_at": last_order_at}))
    clv = predicted_clv(
        average_order_value=aov,
        annual_frequency=frequency,
        gross_margin=params.gross_margin,
        annual_retention=params.annual_retention,
        annual_discount_rate=params.annual_discount_rate,
    )
    clv_details = {
        **money,
        "annual_frequency": frequency,
        "annual_margin": clv.annual_margin,
        "lifetime_factor": clv.lifetime_factor,
    }
    out.append(MetricValue(names.CLV_PREDICTED, clv.value, names.METHOD_CLV_PREDICTED, clv_details))
    if population is not None:
        _add_rfm(out, RfmInputs(recency, count, history.net_revenue), population)
    return recency


def _add_rfm(out: list[MetricValue], inputs: RfmInputs, population: RfmBreakpoints) -> None:
    scores = score_rfm(inputs, population)
    n = population.population
    for name, score in (
        (names.RFM_RECENCY, scores.recency),
        (names.RFM_FREQUENCY, scores.frequency),
        (names.RFM_MONETARY, scores.monetary),
    ):
        out.append(MetricValue(name, float(score), names.METHOD_RFM, {"population": n}))
    segment = rfm_segment(scores)
    details = {
        "segment": segment.value,
        "rfm": [scores.recency, scores.frequency, scores.monetary],
        "fm": fm_score(scores),
    }
    code = float(SEGMENT_CODE[segment])
    out.append(MetricValue(names.RFM_SEGMENT, code, names.METHOD_RFM_SEGMENT, details))


def _churn_signals(
    history: PurchaseHistory,
    surveys: SurveySummary,
    as_of: datetime,
    recency: float,
    params: MetricParams,
    open_complaints: int,
    unsubscribed: bool,
) -> ChurnSignals:
    gap = median_gap_days(history)
    latest = surveys.latest_nps
    window = params.spend_trend_window_days
    return ChurnSignals(
        recency_days=recency,
        # A zero gap (same-day orders only) says nothing about cadence: use the default.
        gap_days=gap if gap else params.default_purchase_gap_days,
        spend_drop=spend_drop(history, as_of=as_of, window_days=window),
        spend_window_days=window,
        latest_nps=None if latest is None else latest.score,
        latest_nps_category=None if latest is None else nps_category(latest.score),
        open_complaints=open_complaints,
        unsubscribed=unsubscribed,
    )


def rfm_metrics(inputs: RfmInputs, population: RfmBreakpoints) -> list[MetricValue]:
    """The RFM scores and segment of one buyer against stored breakpoints (a full recompute
    scores every buyer once the population's breakpoints are known)."""
    out: list[MetricValue] = []
    _add_rfm(out, inputs, population)
    return out
