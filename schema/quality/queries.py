"""The `dataQuality` query."""

from __future__ import annotations

import strawberry

from app.privacy import policy
from app.quality.report import data_quality
from schema.context import Info
from schema.permissions import requires
from schema.quality.types import DataQuality


@strawberry.type
class QualityQueries:
    @strawberry.field(
        description="Data-quality KPIs of the whole store (stewards, analysts, admins): "
        "aggregates only.",
        extensions=[requires(policy.AGGREGATE_ROLES, "read data-quality KPIs")],
    )
    async def data_quality(self, info: Info) -> DataQuality:
        return DataQuality.from_report(await data_quality(info.context.db))
