"""The at-risk list: customers likely to leave, by what they are worth.

Apart from the other metric types: its items are `Customer`s, and `Customer` inherits the
metric fields (`schema.metrics.fields`), so this module imports `Customer` and nothing that
`Customer` imports imports it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from app.metrics.queries import risk_reasons
from app.store.repositories.metric_queries import AtRiskRow
from schema.connections import Edge
from schema.customers.types import Customer


@strawberry.type(description="Why a customer's churn risk is high: one model feature.")
class ChurnReason:
    code: str
    contribution: float = strawberry.field(description="Weight x feature value, in logits.")
    message: str

    @classmethod
    def from_details(cls, reason: dict[str, Any]) -> ChurnReason:
        return cls(
            code=str(reason.get("code", "")),
            contribution=float(reason.get("contribution", 0.0)),
            message=str(reason.get("message", "")),
        )


@strawberry.type(description="A customer likely to leave, with what they are worth.")
class AtRiskCustomer:
    customer_row: strawberry.Private[Any]
    churn_risk: float = strawberry.field(description="Current churn risk, 0-1.")
    predicted_clv: float = strawberry.field(description="Current predicted CLV (0 if none).")
    value_at_risk: float = strawberry.field(description="churnRisk x predictedClv: the order.")
    reasons: list[ChurnReason]

    @strawberry.field(description="The customer (personal data masked per role).")
    def customer(self) -> Customer:
        return Customer.from_model(self.customer_row)

    @classmethod
    def from_row(cls, row: AtRiskRow) -> AtRiskCustomer:
        return cls(
            customer_row=row.customer,
            churn_risk=row.risk,
            predicted_clv=row.value,
            value_at_risk=row.weighted,
            reasons=[ChurnReason.from_details(r) for r in risk_reasons(row.details)],
        )


@strawberry.type(description="A page of customers at risk, by value at risk, highest first.")
class AtRiskCustomerConnection:
    edges: list[Edge[AtRiskCustomer]]
    page_info: relay.PageInfo
