"""Reading stored metrics for the API: summaries by group and the at-risk list.

Summaries aggregate each customer's current value once (per period for MONTH / QUARTER): NPS
from the share of customers whose latest answer is a promoter or a detractor (Wald trinomial
interval), every other metric as the mean of customers' values with a t interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import InvalidInputError
from app.metrics import names
from app.metrics.intervals import difference_interval, t_quantile_975
from app.pagination import Page, decode_cursor, encode_cursor
from app.store.db import Database
from app.store.models import UnmatchedRespondent
from app.store.repositories import webhooks as webhook_queries
from app.store.repositories.metric_queries import (
    AtRiskRow,
    GroupSums,
    SummaryGroup,
    at_risk_page,
    summary_sums,
)

METHOD_SUMMARY_MEAN = "summary.mean_t.v1"
# rfm_segment is a code, not a quantity: its mean means nothing.
SUMMARY_METRICS = tuple(name for name in names.CUSTOMER_METRICS if name != names.RFM_SEGMENT)
# Intervals are clamped to the scale of the metric where it has one.
_SCALES: dict[str, tuple[float, float]] = {
    names.CSAT: (0.0, 100.0),
    names.CES: (1.0, 7.0),
    names.ENGAGEMENT_SCORE: (0.0, 100.0),
    names.CHURN_RISK: (0.0, 1.0),
    names.NPS_CATEGORY: (-1.0, 1.0),
    names.REPEAT_CUSTOMER: (0.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One group of a summary: its value, n (customers) and 95% interval where defined."""

    group: str | None
    n: int
    value: float
    ci_low: float | None
    ci_high: float | None
    method: str


def check_metric_name(name: str, allowed: tuple[str, ...]) -> str:
    """The normalized metric name, or `BAD_USER_INPUT` naming the allowed ones."""
    wanted = name.strip().lower()
    if wanted not in allowed:
        raise InvalidInputError(
            f"unknown metric {name!r}; one of: {', '.join(allowed)}", argument="name"
        )
    return wanted


def summarize_group(name: str, sums: GroupSums) -> SummaryRow:
    """A summary row from the SQL sums of one group."""
    n = sums.n
    if name == names.NPS:
        p_plus, p_minus = sums.promoters / n, sums.detractors / n
        low, high = difference_interval(p_plus, p_minus, n)
        return SummaryRow(
            sums.group,
            n,
            100.0 * (p_plus - p_minus),
            100.0 * low,
            100.0 * high,
            names.METHOD_NPS_AGGREGATE,
        )
    mean = sums.total / n
    if n < 2:
        return SummaryRow(sums.group, n, mean, None, None, METHOD_SUMMARY_MEAN)
    variance = max(0.0, (sums.squares - n * mean * mean) / (n - 1))
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    low, high = mean - half, mean + half
    if name in _SCALES:
        bottom, top = _SCALES[name]
        low, high = max(bottom, low), min(top, high)
    return SummaryRow(sums.group, n, mean, low, high, METHOD_SUMMARY_MEAN)


async def metric_summary(
    db: Database,
    *,
    name: str,
    group: SummaryGroup,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[SummaryRow]:
    """The metric's current values aggregated per group (no personal data)."""
    metric = check_metric_name(name, SUMMARY_METRICS)
    if since is not None and until is not None and since > until:
        raise InvalidInputError("`from` is after `to`", argument="from")
    async with db.session() as session:
        sums = await summary_sums(
            session,
            name=metric,
            group=group,
            since=since,
            until=until,
            categories=metric == names.NPS,
        )
    return [summarize_group(metric, group_sums) for group_sums in sums]


def _decode_after(after: str | None) -> tuple[float, str] | None:
    if after is None:
        return None
    weighted, customer_id = decode_cursor(after, 2)
    if not isinstance(weighted, int | float) or not isinstance(customer_id, str):
        raise InvalidInputError("malformed cursor", argument="after")
    return float(weighted), customer_id


async def at_risk_customers(
    db: Database,
    *,
    min_risk: float,
    first: int,
    after: str | None,
    consent_purpose: str | None,
) -> Page[AtRiskRow]:
    """Customers whose current churn risk is at least `min_risk`, by risk x predicted CLV."""
    if not 0.0 <= min_risk <= 1.0 or math.isnan(min_risk):
        raise InvalidInputError("minRisk must be within 0 and 1", argument="minRisk")
    position = _decode_after(after)
    async with db.session() as session:
        rows = await at_risk_page(
            session,
            risk_metric=names.CHURN_RISK,
            value_metric=names.CLV_PREDICTED,
            min_risk=min_risk,
            first=first,
            after=position,
            consent_purpose=consent_purpose,
            dialect=db.engine.dialect.name,
        )
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(row.weighted, row.customer.id) for row in items],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )


def risk_reasons(details: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The stored top reasons of a churn-risk observation."""
    reasons = (details or {}).get("reasons") or []
    return [reason for reason in reasons if isinstance(reason, dict)]


async def unmatched_respondents(
    db: Database, *, first: int, after: str | None
) -> Page[UnmatchedRespondent]:
    """The matching queue of webhook respondents no customer could be linked to."""
    position = None
    if after is not None:
        (position,) = decode_cursor(after, 1)
        if not isinstance(position, int):
            raise InvalidInputError("malformed cursor", argument="after")
    async with db.session() as session:
        rows = await webhook_queries.pending_unmatched(session, first=first, after=position)
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(row.id) for row in items],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )
