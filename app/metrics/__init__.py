"""Pure metric calculators: NPS, CSAT, CES, purchases, RFM, CLV, engagement, churn risk.

No I/O here: the recompute job loads a `CustomerActivity`, calls `compute_customer_metrics`
and stores the returned `MetricValue`s as `metric_observation` rows. Definitions, formulas and
worked examples are in docs/metrics.md.
"""

from app.metrics.activity import (
    CustomerActivity,
    EmailEvent,
    EmailEventKind,
    Interaction,
    Order,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketStatus,
)
from app.metrics.customer import compute_customer_metrics
from app.metrics.params import MetricParams
from app.metrics.rfm import RfmBreakpoints, RfmInputs, RfmSegment, rfm_breakpoints
from app.metrics.values import Estimate, MetricValue

__all__ = [
    "CustomerActivity",
    "EmailEvent",
    "EmailEventKind",
    "Estimate",
    "Interaction",
    "MetricParams",
    "MetricValue",
    "Order",
    "RfmBreakpoints",
    "RfmInputs",
    "RfmSegment",
    "SurveyAnswer",
    "SurveyKind",
    "Ticket",
    "TicketStatus",
    "compute_customer_metrics",
    "rfm_breakpoints",
]
