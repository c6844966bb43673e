"""Engagement score 0-100 from interactions and email opens and clicks, recency-weighted.

    points = sum over events of weight(kind) x 0.5 ** (age_days / HALF_LIFE_DAYS)
    score  = 100 x points / (points + HALF_SATURATION_POINTS)

The hyperbolic squash keeps the score below 100 however busy the customer is, and a customer
with `HALF_SATURATION_POINTS` of fresh activity sits at exactly 50.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.metrics.activity import EmailEvent, EmailEventKind, Interaction

INTERACTION_WEIGHT = 3.0
CLICK_WEIGHT = 2.0
OPEN_WEIGHT = 1.0
HALF_LIFE_DAYS = 30.0
HALF_SATURATION_POINTS = 10.0

_SECONDS_PER_HALF_LIFE = HALF_LIFE_DAYS * 86_400.0
# Sent emails measure our activity, not the customer's.
_EMAIL_WEIGHT = {EmailEventKind.OPEN: OPEN_WEIGHT, EmailEventKind.CLICK: CLICK_WEIGHT}


@dataclass(frozen=True, slots=True)
class Engagement:
    """The score and what went into it."""

    score: float
    points: float
    events: int


def _decay(at: datetime, as_of: datetime) -> float:
    return float(0.5 ** ((as_of - at).total_seconds() / _SECONDS_PER_HALF_LIFE))


def engagement(
    interactions: Iterable[Interaction], email_events: Iterable[EmailEvent], *, as_of: datetime
) -> Engagement:
    """Score the customer's activity up to `as_of`; no activity scores 0."""
    points = 0.0
    events = 0
    for interaction in interactions:
        if interaction.occurred_at <= as_of:
            points += INTERACTION_WEIGHT * _decay(interaction.occurred_at, as_of)
            events += 1
    for event in email_events:
        weight = _EMAIL_WEIGHT.get(event.kind)
        if weight is not None and event.occurred_at <= as_of:
            points += weight * _decay(event.occurred_at, as_of)
            events += 1
    return Engagement(100.0 * points / (points + HALF_SATURATION_POINTS), points, events)
