"""Stable metric names and method identifiers: the keys of `metric_observation` rows.

Names are snake_case and never change meaning; a new way of computing a metric gets a new
method identifier (`<metric>.<approach>.v<N>`), so stored history stays interpretable.
"""

from __future__ import annotations

from typing import Final

# Per customer: surveys.
NPS: Final = "nps"
NPS_CATEGORY: Final = "nps_category"
CSAT: Final = "csat"
CES: Final = "ces"

# Per customer: purchases.
ORDER_COUNT: Final = "order_count"
REPEAT_CUSTOMER: Final = "repeat_customer"
PURCHASE_FREQUENCY: Final = "purchase_frequency"
AVERAGE_ORDER_VALUE: Final = "average_order_value"
RECENCY_DAYS: Final = "recency_days"
RFM_RECENCY: Final = "rfm_recency"
RFM_FREQUENCY: Final = "rfm_frequency"
RFM_MONETARY: Final = "rfm_monetary"
RFM_SEGMENT: Final = "rfm_segment"

# Per customer: value, engagement and risk.
CLV_HISTORICAL: Final = "clv_historical"
CLV_PREDICTED: Final = "clv_predicted"
PROFITABILITY: Final = "profitability"
ENGAGEMENT_SCORE: Final = "engagement_score"
CHURN_RISK: Final = "churn_risk"

# Aggregate only (over a population or a period).
REPEAT_PURCHASE_RATE: Final = "repeat_purchase_rate"
ACQUISITION_RATE: Final = "acquisition_rate"
ATTRITION_RATE: Final = "attrition_rate"
CUSTOMER_GROWTH_INDEX: Final = "customer_growth_index"
CAC: Final = "cac"
LTV_TO_CAC: Final = "ltv_to_cac"
CHURN_RATE: Final = "churn_rate"
AVERAGE_CLV: Final = "average_clv"
CAC_PAYBACK_MONTHS: Final = "cac_payback_months"
ARPU: Final = "arpu"

CUSTOMER_METRICS: Final = (
    NPS,
    NPS_CATEGORY,
    CSAT,
    CES,
    ORDER_COUNT,
    REPEAT_CUSTOMER,
    PURCHASE_FREQUENCY,
    AVERAGE_ORDER_VALUE,
    RECENCY_DAYS,
    RFM_RECENCY,
    RFM_FREQUENCY,
    RFM_MONETARY,
    RFM_SEGMENT,
    CLV_HISTORICAL,
    CLV_PREDICTED,
    PROFITABILITY,
    ENGAGEMENT_SCORE,
    CHURN_RISK,
)

# Method identifiers, one per calculation.
METHOD_NPS_LATEST: Final = "nps.latest.v1"
METHOD_NPS_AGGREGATE: Final = "nps.wald_trinomial.v1"
METHOD_CSAT: Final = "csat.top2_wilson.v1"
METHOD_CES: Final = "ces.mean_t.v1"
METHOD_ORDERS: Final = "orders.kept.v1"
METHOD_RFM: Final = "rfm.quintile.v1"
METHOD_RFM_SEGMENT: Final = "rfm.segment_grid.v1"
METHOD_CLV_HISTORICAL: Final = "clv.net_revenue.v1"
METHOD_CLV_PREDICTED: Final = "clv.retention_margin.v1"
METHOD_PROFITABILITY: Final = "profitability.margin_minus_tickets.v1"
METHOD_ENGAGEMENT: Final = "engagement.decayed_events.v1"
METHOD_CHURN: Final = "churn.logistic.v1"

# Definitions of the business metrics (businessMetrics), one per calculation.
DEF_ACQUISITION_RATE: Final = "acquisition_rate.period_start.v1"
DEF_ATTRITION_RATE: Final = "attrition_rate.lifecycle_past.v1"
DEF_GROWTH_INDEX: Final = "customer_growth_index.period_start.v1"
DEF_CHURN_RATE: Final = "churn_rate.monthly_from_attrition.v1"
DEF_CAC: Final = {"SIMPLE": "cac.simple.v1", "FULLY_LOADED": "cac.fully_loaded.v1"}
DEF_AVERAGE_CLV: Final = "average_clv.cohort_predicted.v1"
DEF_LTV_TO_CAC: Final = "ltv_to_cac.cohort_predicted.v1"
DEF_CAC_PAYBACK: Final = "cac_payback.clv_margin_months.v1"
DEF_REPEAT_PURCHASE_RATE: Final = "repeat_purchase_rate.cohort.v1"
DEF_ARPU: Final = "arpu.cohort_net_revenue.v1"
BUSINESS_METRICS: Final = (
    ACQUISITION_RATE,
    ATTRITION_RATE,
    CUSTOMER_GROWTH_INDEX,
    CHURN_RATE,
    CAC,
    AVERAGE_CLV,
    LTV_TO_CAC,
    CAC_PAYBACK_MONTHS,
    REPEAT_PURCHASE_RATE,
    ARPU,
)
