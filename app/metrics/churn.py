"""Churn risk 0-1 with its top reasons: a transparent logistic model.

    z    = BIAS + sum of WEIGHTS[feature] x feature value
    risk = 1 / (1 + exp(-z))

The weights below are the whole model: set by judgement, not fitted, and meant to be read.
A feature's contribution is its weight x value; the reasons are the largest positive ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.metrics.surveys import NpsCategory

# A buyer with no warning signs: 1 / (1 + e^2) = 11.9% risk.
BIAS = -2.0
WEIGHTS: dict[str, float] = {
    # Days since the last order beyond the customer's own median gap, in gaps (0 when on time).
    "overdue": 0.8,
    # 1 - spend in the recent window / spend in the window before it (0-1).
    "spend_drop": 1.5,
    # Latest NPS answer is a detractor (1) or a promoter (1); promoters lower the risk.
    "detractor": 1.2,
    "promoter": -0.8,
    # Open complaint tickets, each one counts.
    "open_complaints": 0.7,
    # Unsubscribed from email: one channel fewer to win the customer back.
    "unsubscribed": 0.9,
}
# Caps keep one runaway signal from pinning the risk at 1 on its own.
OVERDUE_CAP = 4.0
OPEN_COMPLAINTS_CAP = 3
TOP_REASONS = 3


@dataclass(frozen=True, slots=True)
class ChurnSignals:
    """What the churn model reads about one buyer."""

    recency_days: float
    gap_days: float
    spend_drop: float
    spend_window_days: float
    latest_nps: int | None
    latest_nps_category: NpsCategory | None
    open_complaints: int
    unsubscribed: bool


@dataclass(frozen=True, slots=True)
class ChurnRisk:
    """The risk, its top reasons (largest contribution first) and every feature value."""

    risk: float
    reasons: list[dict[str, Any]]
    features: dict[str, float]


def churn_features(signals: ChurnSignals) -> dict[str, float]:
    """Feature values of the model, keyed like `WEIGHTS`."""
    category = signals.latest_nps_category
    overdue = signals.recency_days / signals.gap_days - 1.0
    return {
        "overdue": min(max(overdue, 0.0), OVERDUE_CAP),
        "spend_drop": signals.spend_drop,
        "detractor": 1.0 if category is NpsCategory.DETRACTOR else 0.0,
        "promoter": 1.0 if category is NpsCategory.PROMOTER else 0.0,
        "open_complaints": float(min(signals.open_complaints, OPEN_COMPLAINTS_CAP)),
        "unsubscribed": 1.0 if signals.unsubscribed else 0.0,
    }


def _message(code: str, signals: ChurnSignals) -> str:
    if code == "overdue":
        ratio = signals.recency_days / signals.gap_days
        return (
            f"last order {signals.recency_days:.0f} days ago, {ratio:.1f}x the usual "
            f"{signals.gap_days:.0f}-day gap"
        )
    if code == "spend_drop":
        days = f"{signals.spend_window_days:.0f}"
        return f"spend in the last {days} days down {signals.spend_drop:.0%} on the {days} before"
    if code == "detractor":
        return f"latest NPS answer is a detractor ({signals.latest_nps})"
    if code == "open_complaints":
        return f"{signals.open_complaints} open complaint ticket(s)"
    return "unsubscribed from email"


def churn_risk(signals: ChurnSignals) -> ChurnRisk:
    """Score one buyer."""
    features = churn_features(signals)
    z = BIAS
    contributions = []
    for code, value in features.items():
        contribution = WEIGHTS[code] * value
        z += contribution
        if contribution > 0.0:
            contributions.append((contribution, code))
    contributions.sort(reverse=True)
    reasons = [
        {"code": code, "contribution": contribution, "message": _message(code, signals)}
        for contribution, code in contributions[:TOP_REASONS]
    ]
    return ChurnRisk(1.0 / (1.0 + math.exp(-z)), reasons, features)
