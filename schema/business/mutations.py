"""Business mutations: where a customer came from, and what acquiring customers cost."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from app.business.acquisition import NewAcquisition, set_acquisition
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
from schema.ids import node_id_of


@strawberry.type
class BusinessMutations:
    @strawberry.mutation(
        description="Set where a customer came from (replaces its acquisition record)."
    )
    async def set_acquisition(self, info: Info, input: SetAcquisitionInput) -> Acquisition | None:  # noqa: A002
        info.context.access.require(policy.ACQUISITION_WRITE_ROLES, "set acquisitions")
        row = await set_acquisition(
            info.context.db,
            NewAcquisition(
                customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
                acquired_at=input.acquired_at,
                system=input.source,
                channel=input.channel,
                campaign=input.campaign,
            ),
        )
        info.context.access.record_change(row.customer_id, "set_acquisition", ["acquisition"])
        return Acquisition.from_model(row)

    @strawberry.mutation(
        description="Record acquisition spend: every entry, or (one invalid) none."
    )
    async def record_acquisition_spend(
        self, info: Info, entries: list[AcquisitionSpendInput]
    ) -> list[AcquisitionSpendEntry]:
        info.context.access.require(policy.ACQUISITION_WRITE_ROLES, "record acquisition spend")
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
