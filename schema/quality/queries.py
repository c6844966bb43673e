"""The `dataQuality` query."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from app.privacy.principals import Role
from app.quality.report import data_quality
from schema.quality.types import DataQuality

QUALITY_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.ANALYST})


@strawberry.type
class QualityQueries:
    @strawberry.field(
        description="Data-quality KPIs of the whole store (stewards, analysts, admins): "
        "aggregates only."
    )
    async def data_quality(self, info: Info) -> DataQuality:
        info.context.access.require(QUALITY_ROLES, "read data-quality KPIs")
        return DataQuality.from_report(await data_quality(info.context.db))
