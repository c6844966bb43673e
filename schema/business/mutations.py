"""Business mutations: where a customer came from, and what acquiring customers cost."""

from __future__ import annotations

import strawberry

from app.business.acquisition import NewAcquisition
from app.business.spend import CostCategory as Category
from app.business.spend import NewSpend, record_spend
from app.metrics.recompute import params_from_settings
from app.privacy import policy
from schema.business.types import (
    Acquisition,
    AcquisitionSpendEntry,
    AcquisitionSpendInput,
    SetAcquisitionInput,
)
from schema.context import Info
from schema.ids import node_id_of
from schema.permissions import requires


@strawberry.type
class BusinessMutations:
    @strawberry.mutation(
        description="Set where a customer came from (replaces its acquisition record).",
        extensions=[requires(policy.ACQUISITION_WRITE_ROLES, "set acquisitions")],
    )
    async def set_acquisition(self, info: Info, input: SetAcquisitionInput) -> Acquisition | None:  # noqa: A002
        row = await info.context.customers.set_acquisition(
            NewAcquisition(
                customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
                acquired_at=input.acquired_at,
                system=input.source,
                channel=input.channel,
                campaign=input.campaign,
            )
        )
        return Acquisition.from_model(row)

    @strawberry.mutation(
        description="Record acquisition spend: every entry, or (one invalid) none.",
        extensions=[requires(policy.ACQUISITION_WRITE_ROLES, "record acquisition spend")],
    )
    async def record_acquisition_spend(
        self, info: Info, entries: list[AcquisitionSpendInput]
    ) -> list[AcquisitionSpendEntry]:
        rows = await record_spend(
            info.context.db,
            [
                NewSpend(
                    period_start=entry.period_start,
                    period_end=entry.period_end,
                    category=Category(entry.category.value),
                    amount=entry.amount,
                    currency=entry.currency,
                    channel=entry.channel,
                    campaign=entry.campaign,
                )
                for entry in entries
            ],
            params_from_settings(info.context.settings),
            source="gateway",
        )
        return [AcquisitionSpendEntry.from_model(row) for row in rows]
