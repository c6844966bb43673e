"""The Customer fields of identity resolution, as a mixin the `Customer` type inherits."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from app.store import models
from schema.context import Info


@strawberry.type(description="Where one golden-record field's value came from (lineage).")
class FieldProvenance:
    field: str = strawberry.field(description="The golden field, e.g. given_name or birth_date.")
    system: str = strawberry.field(
        description="The system that gave the value (gateway for values entered here)."
    )
    rule: str = strawberry.field(
        description="The survivorship rule that chose it: verified, source_priority, "
        "most_recent, single_value, or direct_edit for an edit through the gateway."
    )
    recorded_at: datetime = strawberry.field(description="When the system observed the value.")

    @classmethod
    def from_model(cls, row: models.FieldProvenance) -> FieldProvenance:
        return cls(field=row.field, system=row.system, rule=row.rule, recorded_at=row.recorded_at)


@strawberry.type
class CustomerIdentityFields:
    """Fields of `Customer` about how its golden record was built."""

    if TYPE_CHECKING:
        id: str

    @strawberry.field(description="Per golden field, the system, the rule and when, by field name.")
    async def provenance(self, info: Info) -> list[FieldProvenance]:
        rows = await info.context.loaders.provenance_by_customer_id.load(self.id)
        return [FieldProvenance.from_model(row) for row in sorted(rows, key=lambda r: r.field)]
