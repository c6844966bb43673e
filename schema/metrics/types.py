"""GraphQL types of stored metrics: summaries, personalization markers, the matching queue (the
at-risk list, whose items are customers, is in `at_risk.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.graph import SourceKind
from app.metrics import markers
from app.metrics.inputs import top_order_categories
from app.metrics.queries import SummaryRow
from app.store import models
from app.store.repositories.metric_queries import SummaryGroup
from schema.connections import Edge
from schema.context import Info
from schema.enums import mirror_enum

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    MetricGroupBy = SummaryGroup
    RiskBand = markers.RiskBand
    NextBestAction = markers.NextBestAction
else:
    MetricGroupBy = mirror_enum(SummaryGroup, "MetricGroupBy", "What a metric summary groups by.")
    RiskBand = mirror_enum(
        markers.RiskBand, "RiskBand", "Churn risk: LOW < 0.3 <= MEDIUM < 0.6 <= HIGH."
    )
    NextBestAction = mirror_enum(
        markers.NextBestAction,
        "NextBestAction",
        "What to do next with the customer (docs/metrics.md).",
    )


@strawberry.type(description="One group of a metric summary.")
class MetricSummaryGroup:
    key: str | None = strawberry.field(
        description="The group (segment, stage, region, channel, 2026-05, 2026-Q2); null: unknown."
    )
    n: int = strawberry.field(description="Customers in the group (each counted once).")
    value: float = strawberry.field(description="NPS in points, else the mean of current values.")
    ci_low: float | None = strawberry.field(description="95% interval; null when undefined.")
    ci_high: float | None
    method: str

    @classmethod
    def from_row(cls, row: SummaryRow) -> MetricSummaryGroup:
        return cls(
            key=row.group,
            n=row.n,
            value=row.value,
            ci_low=row.ci_low,
            ci_high=row.ci_high,
            method=row.method,
        )


@strawberry.type(description="A metric aggregated over customers: no personal data.")
class MetricSummary:
    name: str
    group_by: MetricGroupBy
    from_: datetime | None = strawberry.field(name="from")
    to: datetime | None
    groups: list[MetricSummaryGroup]


@strawberry.type(description="The small payload a personalization widget needs.")
class CustomerMarkers:
    customer_id: strawberry.Private[str]
    segment: str | None
    rfm_segment: str | None = strawberry.field(description="champions, loyal, at_risk, ...")
    churn_risk_band: RiskBand | None
    preferred_channel: str | None = strawberry.field(
        description="Of the customer's preferred channels, the first of email, push, sms, "
        "phone, post."
    )
    next_best_action: NextBestAction

    @strawberry.field(
        description="Up to 3 product categories by the customer's spend; null if the ERP is down."
    )
    async def top_product_categories(self, info: Info) -> list[str] | None:
        links = await info.context.loaders.source_links_by_customer_id.load(self.customer_id)
        data = await info.context.sources.for_customer(SourceKind.ERP_ORDERS, links)
        return top_order_categories(data.unwrap() or [])


@strawberry.type(description="A webhook's person no customer could be linked to (for stewards).")
class UnmatchedRespondent:
    id: relay.GlobalID
    system: str
    external_id: str | None = strawberry.field(description="The person's id in the system.")
    # Not @pii: only stewards and admins (raw-PII roles) reach the queue, and the person is
    # not a customer yet, so there is no customer audit trail to write to.
    email: str | None = strawberry.field(description="The email the source gave, if any.")
    received_at: datetime
    details: JSON | None = strawberry.field(description="What arrived: scores, survey, event.")

    @classmethod
    def from_model(cls, row: models.UnmatchedRespondent) -> UnmatchedRespondent:
        return cls(
            id=relay.GlobalID("UnmatchedRespondent", str(row.id)),
            system=row.system,
            external_id=row.external_id,
            email=row.email,
            received_at=row.received_at,
            details=None if row.details is None else JSON(row.details),
        )


@strawberry.type(description="A page of the matching queue, oldest first.")
class UnmatchedRespondentConnection:
    edges: list[Edge[UnmatchedRespondent]]
    page_info: relay.PageInfo
