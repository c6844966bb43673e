"""GraphQL types of the business metrics (aggregates only) and the acquisition inputs."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from strawberry import relay

from app.business import cohorts, report, spend
from app.metrics import names
from app.metrics.population import PeriodValue
from app.store import models
from schema.enums import mirror_enum

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    BusinessGroupBy = report.BusinessGroupBy
    CostBasis = spend.CostBasis
    CostCategory = spend.CostCategory
else:
    BusinessGroupBy = mirror_enum(
        report.BusinessGroupBy,
        "BusinessGroupBy",
        "How businessMetrics groups: by acquisition channel or campaign, UTC month or quarter.",
    )
    CostBasis = mirror_enum(
        spend.CostBasis,
        "CostBasis",
        "Which spend CAC divides: SIMPLE (media and direct marketing) or FULLY_LOADED (all).",
    )
    CostCategory = mirror_enum(spend.CostCategory, "CostCategory", "What a spend paid for.")


@strawberry.enum(description="The period of a retention cohort: when its customers came.")
class CohortPeriod(Enum):
    MONTH = "month"
    QUARTER = "quarter"


@strawberry.type(
    description="One business metric of one group: null, with the reason, when it is undefined."
)
class BusinessMetricValue:
    value: float | None
    definition: str = strawberry.field(
        description="The definition that computed it (docs/metrics.md, Business metrics)."
    )
    n: int = strawberry.field(description="Customers behind the value.")
    reason: str | None = strawberry.field(description="Why the value is null; else null.")

    @classmethod
    def from_value(cls, value: PeriodValue) -> BusinessMetricValue:
        return cls(value=value.value, definition=value.definition, n=value.n, reason=value.reason)


@strawberry.type(description="The business metrics of one group of the period.")
class BusinessMetricsGroup:
    key: str | None = strawberry.field(
        description="The channel, campaign, month (2026-05) or quarter (2026-Q2); null: none "
        "recorded (or the whole period with NONE)."
    )
    period_start: date
    period_end: date
    customers_at_start: int
    customers_at_end: int
    acquired: int
    lost: int
    spend: float | None = strawberry.field(
        description="Acquisition spend of the cost basis in the reporting currency, prorated "
        "by days; null when none is recorded."
    )
    acquisition_rate: BusinessMetricValue
    attrition_rate: BusinessMetricValue
    growth_index: BusinessMetricValue
    churn_rate: BusinessMetricValue = strawberry.field(
        description="The attrition rate as a constant monthly rate."
    )
    cac: BusinessMetricValue
    average_clv: BusinessMetricValue = strawberry.field(
        description="Mean current predicted CLV of the customers acquired in the period."
    )
    ltv_to_cac: BusinessMetricValue
    payback_months: BusinessMetricValue
    repeat_purchase_rate: BusinessMetricValue
    arpu: BusinessMetricValue

    @classmethod
    def from_group(cls, group: report.BusinessGroup) -> BusinessMetricsGroup:
        value = {name: BusinessMetricValue.from_value(v) for name, v in group.metrics.items()}
        movement = group.movement
        return cls(
            key=group.key,
            period_start=group.period_start,
            period_end=group.period_end,
            customers_at_start=movement.customers_at_start,
            customers_at_end=movement.customers_at_end,
            acquired=movement.acquired,
            lost=movement.lost,
            spend=group.spend,
            acquisition_rate=value[names.ACQUISITION_RATE],
            attrition_rate=value[names.ATTRITION_RATE],
            growth_index=value[names.CUSTOMER_GROWTH_INDEX],
            churn_rate=value[names.CHURN_RATE],
            cac=value[names.CAC],
            average_clv=value[names.AVERAGE_CLV],
            ltv_to_cac=value[names.LTV_TO_CAC],
            payback_months=value[names.CAC_PAYBACK_MONTHS],
            repeat_purchase_rate=value[names.REPEAT_PURCHASE_RATE],
            arpu=value[names.ARPU],
        )


@strawberry.type(
    description="Acquisition, attrition, growth and CAC over a period: no personal data."
)
class BusinessMetrics:
    from_: date = strawberry.field(name="from")
    to: date
    group_by: BusinessGroupBy
    cost_basis: CostBasis
    currency: str = strawberry.field(description="The reporting currency of money values.")
    groups: list[BusinessMetricsGroup]


@strawberry.type(
    description="The customers acquired in one month or quarter, and how many stayed: item k "
    "of `retained` and `rates` is k months after the end of the cohort's period (0: at its end)."
)
class RetentionCohort:
    cohort: str = strawberry.field(description="The month (2026-05) or quarter (2026-Q2).")
    customers: int
    retained: list[int] = strawberry.field(
        description="Customers not lost at the end of each month since."
    )
    rates: list[float] = strawberry.field(description="retained / customers, month by month.")

    @classmethod
    def from_cohort(cls, cohort: cohorts.RetentionCohort) -> RetentionCohort:
        return cls(
            cohort=cohort.cohort,
            customers=cohort.customers,
            retained=[point.retained for point in cohort.retention],
            rates=[point.rate for point in cohort.retention],
        )


@strawberry.type(description="Where a customer came from, and which system says so.")
class Acquisition:
    customer_id: relay.GlobalID
    acquired_at: datetime
    channel: str | None
    campaign: str | None
    source: str = strawberry.field(description="The system (or person's tool) that said so.")
    lost_at: datetime | None = strawberry.field(
        description="When the customer was lost (lifecycle stage past); null while a customer."
    )

    @classmethod
    def from_model(cls, row: models.Acquisition) -> Acquisition:
        return cls(
            customer_id=relay.GlobalID("Customer", row.customer_id),
            acquired_at=row.acquired_at,
            channel=row.channel,
            campaign=row.campaign,
            source=row.system,
            lost_at=row.lost_at,
        )


@strawberry.type(description="One row of the acquisition spend ledger.")
class AcquisitionSpendEntry:
    id: int
    period_start: date
    period_end: date
    channel: str | None
    campaign: str | None
    category: CostCategory
    amount: float = strawberry.field(description="In the reporting currency.")
    original_amount: float
    currency: str = strawberry.field(description="The currency it was recorded in.")

    @classmethod
    def from_model(cls, row: models.AcquisitionSpend) -> AcquisitionSpendEntry:
        return cls(
            id=row.id or 0,
            period_start=row.period_start,
            period_end=row.period_end,
            channel=row.channel,
            campaign=row.campaign,
            category=CostCategory(row.category),
            amount=row.amount,
            original_amount=row.original_amount,
            currency=row.currency,
        )


@strawberry.input(description="Where a customer came from.")
class SetAcquisitionInput:
    customer_id: relay.GlobalID
    acquired_at: datetime
    channel: str | None = None
    campaign: str | None = None
    source: str = strawberry.field(
        default="gateway", description="The system that says so (provenance)."
    )


@strawberry.input(description="What acquiring customers cost over a period (inclusive dates).")
class AcquisitionSpendInput:
    period_start: date
    period_end: date
    category: CostCategory
    amount: float
    currency: str = strawberry.field(description="ISO 4217; converted with the configured rates.")
    channel: str | None = None
    campaign: str | None = None
