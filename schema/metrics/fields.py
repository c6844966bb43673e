"""The Customer fields backed by stored metrics, as a mixin the `Customer` type inherits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from app.metrics import markers, names
from schema.metrics.types import CustomerMarkers, NextBestAction, RiskBand


@strawberry.type
class CustomerMetricFields:
    """Fields of `Customer` read from its current metric observations."""

    if TYPE_CHECKING:
        id: str
        segment: str | None

    @strawberry.field(
        description="Segment, RFM segment, churn-risk band, preferred channel, categories, "
        "next best action: what a personalization widget needs."
    )
    async def markers(self, info: Info) -> CustomerMarkers:
        rows = await info.context.loaders.metric_values_by_customer_id.load(self.id)
        current: dict[str, Any] = {}
        for row in rows:  # newest first within a metric
            current.setdefault(row.name, row)
        preferences = await info.context.loaders.preferences_by_customer_id.load(self.id)

        def value(name: str) -> float | None:
            row = current.get(name)
            return row.value if row is not None else None

        rfm = current.get(names.RFM_SEGMENT)
        rfm_segment = (rfm.details or {}).get("segment") if rfm is not None else None
        band = markers.risk_band(value(names.CHURN_RISK))
        action = markers.next_best_action(
            risk=value(names.CHURN_RISK),
            nps_category=value(names.NPS_CATEGORY),
            rfm_segment=rfm_segment,
            order_count=value(names.ORDER_COUNT),
        )
        return CustomerMarkers(
            customer_id=self.id,
            segment=self.segment,
            rfm_segment=rfm_segment,
            churn_risk_band=RiskBand(band.value) if band is not None else None,
            preferred_channel=markers.preferred_channel(
                preferences.channels if preferences is not None else ()
            ),
            next_best_action=NextBestAction(action.value),
        )
