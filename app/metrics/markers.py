"""The personalization markers of one customer, from its current metrics (pure rules).

- Preferred channel: the customer's preferences hold a set of channels; the first of them in
  `CHANNEL_PRIORITY` (digital and cheapest first) is the preferred one.
- Churn-risk band: LOW below 0.3, MEDIUM below 0.6, HIGH from 0.6.
- Next best action, first rule that holds: HIGH risk and a detractor -> SERVICE_RECOVERY;
  HIGH risk -> RETENTION_OFFER; RFM at_risk, cannot_lose_them, about_to_sleep, hibernating or
  lost -> WIN_BACK; champions or loyal (not a detractor) -> REFERRAL_INVITE; new_customers,
  promising, potential_loyalist or need_attention -> NURTURE; any kept order -> CROSS_SELL;
  otherwise NONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.metrics import names
from app.metrics.current import latest
from app.store.models import CHANNEL_PRIORITY

MEDIUM_RISK_FROM = 0.3
HIGH_RISK_FROM = 0.6


class RiskBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class NextBestAction(StrEnum):
    SERVICE_RECOVERY = "service_recovery"
    RETENTION_OFFER = "retention_offer"
    WIN_BACK = "win_back"
    REFERRAL_INVITE = "referral_invite"
    NURTURE = "nurture"
    CROSS_SELL = "cross_sell"
    NONE = "none"


_WIN_BACK = frozenset({"at_risk", "cannot_lose_them", "about_to_sleep", "hibernating", "lost"})
_ADVOCATES = frozenset({"champions", "loyal"})
_GROWING = frozenset({"new_customers", "promising", "potential_loyalist", "need_attention"})


def preferred_channel(channels: Iterable[str]) -> str | None:
    """The first of `channels` in `CHANNEL_PRIORITY` (then alphabetical for unknown ones)."""
    given = set(channels)
    ranked = [c for c in CHANNEL_PRIORITY if c in given] + sorted(given - set(CHANNEL_PRIORITY))
    return ranked[0] if ranked else None


def risk_band(risk: float | None) -> RiskBand | None:
    """The band of a churn risk (None without one)."""
    if risk is None:
        return None
    if risk >= HIGH_RISK_FROM:
        return RiskBand.HIGH
    return RiskBand.MEDIUM if risk >= MEDIUM_RISK_FROM else RiskBand.LOW


def next_best_action(
    *,
    risk: float | None,
    nps_category: float | None,
    rfm_segment: str | None,
    order_count: float | None,
) -> NextBestAction:
    """The first rule of the module's list that holds."""
    detractor = nps_category is not None and nps_category < 0
    if risk_band(risk) is RiskBand.HIGH:
        return NextBestAction.SERVICE_RECOVERY if detractor else NextBestAction.RETENTION_OFFER
    if rfm_segment in _WIN_BACK:
        return NextBestAction.WIN_BACK
    if rfm_segment in _ADVOCATES and not detractor:
        return NextBestAction.REFERRAL_INVITE
    if rfm_segment in _GROWING:
        return NextBestAction.NURTURE
    if order_count:
        return NextBestAction.CROSS_SELL
    return NextBestAction.NONE


@dataclass(frozen=True, slots=True)
class Markers:
    """What a personalization widget needs of one customer (besides its segment)."""

    rfm_segment: str | None
    churn_risk_band: RiskBand | None
    preferred_channel: str | None
    next_best_action: NextBestAction


def customer_markers(observations: Iterable[Any], channels: Iterable[str]) -> Markers:
    """One customer's markers, from its stored observations (newest first per metric, with
    `details`) and its preferred channels."""
    current = latest(observations)

    def value(name: str) -> float | None:
        row = current.get(name)
        return float(row.value) if row is not None else None

    rfm = current.get(names.RFM_SEGMENT)
    rfm_segment = (rfm.details or {}).get("segment") if rfm is not None else None
    return Markers(
        rfm_segment=rfm_segment,
        churn_risk_band=risk_band(value(names.CHURN_RISK)),
        preferred_channel=preferred_channel(channels),
        next_best_action=next_best_action(
            risk=value(names.CHURN_RISK),
            nps_category=value(names.NPS_CATEGORY),
            rfm_segment=rfm_segment,
            order_count=value(names.ORDER_COUNT),
        ),
    )
