"""Business metric queries: period metrics and retention cohorts (aggregates only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from app.business.cohorts import retention_cohorts
from app.business.report import BusinessGroupBy as GroupBy
from app.business.report import business_metrics
from app.business.spend import CostBasis as Basis
from app.metrics.recompute import params_from_settings
from app.privacy import policy
from schema.business.types import (
    BusinessGroupBy,
    BusinessMetrics,
    BusinessMetricsGroup,
    CohortPeriod,
    CostBasis,
    RetentionCohort,
)
from schema.context import Info
from schema.permissions import requires


@strawberry.type
class BusinessQueries:
    @strawberry.field(
        description="Acquisition, attrition, growth, churn, CAC, LTV:CAC, payback, repeat "
        "purchase rate and ARPU over [from, to] (whole UTC days), grouped. No personal data.",
        extensions=[requires(policy.BUSINESS_METRICS_ROLES, "read business metrics")],
    )
    async def business_metrics(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        group_by: BusinessGroupBy = BusinessGroupBy.NONE,
        cost_basis: CostBasis = CostBasis.SIMPLE,
    ) -> BusinessMetrics:
        params = params_from_settings(info.context.settings)
        groups = await business_metrics(
            info.context.db,
            params,
            since=from_,
            until=to,
            group_by=GroupBy(group_by.value),
            cost_basis=Basis(cost_basis.value),
        )
        return BusinessMetrics(
            from_=from_,
            to=to,
            group_by=group_by,
            cost_basis=cost_basis,
            currency=params.currency,
            groups=[BusinessMetricsGroup.from_group(group) for group in groups],
        )

    @strawberry.field(
        description="Retention by acquisition cohort: of the customers acquired in each month "
        "or quarter of [from, to], those not lost at the end of each month since.",
        extensions=[requires(policy.BUSINESS_METRICS_ROLES, "read retention cohorts")],
    )
    async def retention_cohorts(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        period: CohortPeriod = CohortPeriod.MONTH,
    ) -> list[RetentionCohort]:
        table = await retention_cohorts(info.context.db, since=from_, until=to, grain=period.value)
        return [RetentionCohort.from_cohort(cohort) for cohort in table]
