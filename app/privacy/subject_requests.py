"""Data subject requests made through the API, for one request: export, erasure, and a
steward's review of an erasure's look-alikes; each recorded on the request's access record."""

from __future__ import annotations

from dataclasses import dataclass

from app.graph import CustomerGraph
from app.privacy import lookalikes
from app.privacy.access import RequestAccess
from app.privacy.erasure import ErasureOutcome, erase_customer
from app.privacy.export import DataExport, export_customer_data
from app.settings import Settings
from app.store import models
from app.store.db import Database

EXPORT_AUDIT_FIELDS = ["data_subject_export"]
ERASURE_AUDIT_FIELDS = ["data_subject_erasure"]


@dataclass(frozen=True, slots=True)
class SubjectRequests:
    """Audited data subject requests by the request's caller."""

    db: Database
    settings: Settings
    graph: CustomerGraph
    access: RequestAccess

    async def export(self, customer_id: str) -> DataExport:
        """Everything held or linked about `customer_id`, as one document."""
        export = await export_customer_data(self.db, self.graph, customer_id=customer_id)
        self.access.record_change(export.customer_id, "export", EXPORT_AUDIT_FIELDS)
        return export

    async def erase(self, customer_id: str) -> ErasureOutcome:
        """Erase (or retry erasing) `customer_id` here and in every linked system."""
        outcome = await erase_customer(
            self.db,
            self.graph,
            self.settings,
            customer_id=customer_id,
            requested_by=self.access.principal.id,
        )
        self.access.record_change(outcome.customer_id, "erase", ERASURE_AUDIT_FIELDS)
        return outcome

    async def dismiss_lookalike(self, lookalike_id: int) -> models.ErasureLookalike:
        """Record that a look-alike is someone else than the erased person."""
        row = await lookalikes.dismiss_lookalike(
            self.db, lookalike_id=lookalike_id, decided_by=self.access.principal.id
        )
        self.access.record_change(row.customer_id, "dismiss_erasure_lookalike", [])
        return row
