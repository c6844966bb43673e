"""The Customer fields backed by stored metrics, as a mixin the `Customer` type inherits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from app.metrics.markers import customer_markers
from schema.context import Info
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
        preferences = await info.context.loaders.preferences_by_customer_id.load(self.id)
        found = customer_markers(rows, preferences.channels if preferences is not None else ())
        band = found.churn_risk_band
        return CustomerMarkers(
            customer_id=self.id,
            segment=self.segment,
            rfm_segment=found.rfm_segment,
            churn_risk_band=RiskBand(band.value) if band is not None else None,
            preferred_channel=found.preferred_channel,
            next_best_action=NextBestAction(found.next_best_action.value),
        )
