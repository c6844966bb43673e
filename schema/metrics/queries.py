"""Metric queries: aggregates for analysts, the at-risk list for retention teams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from app.metrics.queries import at_risk_customers, metric_summary, unmatched_respondents
from app.pagination import requested_page_size
from app.privacy import policy
from app.store.repositories.metric_queries import SummaryGroup
from schema.connections import Edge, page_info
from schema.context import Info
from schema.metrics.at_risk import AtRiskCustomer, AtRiskCustomerConnection
from schema.metrics.types import (
    MetricGroupBy,
    MetricSummary,
    MetricSummaryGroup,
    UnmatchedRespondent,
    UnmatchedRespondentConnection,
)
from schema.permissions import requires


@strawberry.type
class MetricQueries:
    @strawberry.field(
        description="A metric over customers (each counted once, by its latest value in the "
        "range), grouped; with n and a 95% interval. Aggregates only: no personal data.",
        extensions=[requires(policy.AGGREGATE_ROLES, "read metric summaries")],
    )
    async def metric_summary(
        self,
        info: Info,
        name: str,
        group_by: MetricGroupBy = MetricGroupBy.NONE,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> MetricSummary:
        group = SummaryGroup(group_by.value)
        rows = await metric_summary(info.context.db, name=name, group=group, since=from_, until=to)
        return MetricSummary(
            name=name.strip().lower(),
            group_by=group_by,
            from_=from_,
            to=to,
            groups=[MetricSummaryGroup.from_row(row) for row in rows],
        )

    @strawberry.field(
        description="Customers whose current churn risk is at least `minRisk`, ordered by "
        "value at risk (churn risk x predicted CLV), with the reasons.",
        extensions=[requires(policy.STAFF_ROLES, "list customers at risk")],
    )
    async def at_risk_customers(
        self,
        info: Info,
        min_risk: float = 0.5,
        first: int | None = None,
        after: str | None = None,
    ) -> AtRiskCustomerConnection:
        purpose = info.context.access.consent_purpose
        page = await at_risk_customers(
            info.context.db,
            min_risk=min_risk,
            first=requested_page_size(first, info.context.settings),
            after=after,
            consent_purpose=purpose.value if purpose is not None else None,
        )
        return AtRiskCustomerConnection(
            edges=[
                Edge(cursor=cursor, node=AtRiskCustomer.from_row(row))
                for cursor, row in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
        )

    @strawberry.field(
        description="Survey respondents and CRM contacts that webhooks could not link to a "
        "customer, oldest first: the stewards' matching queue.",
        extensions=[requires(policy.IDENTITY_STEWARDS, "read the matching queue")],
    )
    async def unmatched_respondents(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> UnmatchedRespondentConnection:
        page = await unmatched_respondents(
            info.context.db, first=requested_page_size(first, info.context.settings), after=after
        )
        return UnmatchedRespondentConnection(
            edges=[
                Edge(cursor=cursor, node=UnmatchedRespondent.from_model(row))
                for cursor, row in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
        )
