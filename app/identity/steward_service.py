"""A steward's identity decisions, for one request: each made (`app.identity.stewardship`) and
recorded on the request's access record for every customer it touched."""

from __future__ import annotations

from dataclasses import dataclass

from app.identity import stewardship
from app.identity.survivorship import SurvivorshipRules
from app.privacy.access import RequestAccess
from app.settings import Settings
from app.store import models
from app.store.db import Database


@dataclass(frozen=True, slots=True)
class StewardService:
    """Audited identity decisions by the request's caller."""

    db: Database
    settings: Settings
    access: RequestAccess

    def _rules(self) -> SurvivorshipRules:
        return SurvivorshipRules.from_settings(
            self.settings.survivorship_priority, self.settings.survivorship_field_priority
        )

    async def resolve_candidate(
        self, candidate_id: int, decision: stewardship.CandidateDecision
    ) -> stewardship.Resolution:
        """Decide a duplicate candidate (MATCH merges the pair)."""
        result = await stewardship.resolve_candidate(
            self.db,
            candidate_id=candidate_id,
            decision=decision,
            decided_by=self.access.principal.id,
            rules=self._rules(),
        )
        candidate = result.candidate
        for customer_id in (candidate.left_id, candidate.right_id):
            self.access.record_change(customer_id, "resolve_candidate", [decision.value])
        return result

    async def merge(self, survivor_id: str, merged_id: str) -> models.Customer:
        """Merge `merged_id` into `survivor_id`; returns the survivor."""
        survivor = await stewardship.merge(
            self.db,
            survivor_id=survivor_id,
            merged_id=merged_id,
            merged_by=self.access.principal.id,
            rules=self._rules(),
        )
        self.access.record_change(survivor.id, "merge", ["merged_into"])
        self.access.record_change(merged_id, "merge", ["merged_into"])
        return survivor

    async def unmerge(self, customer_id: str) -> tuple[models.Customer, models.Customer]:
        """Undo the merge of `customer_id`; returns (restored, survivor)."""
        restored, survivor = await stewardship.unmerge(
            self.db, customer_id=customer_id, undone_by=self.access.principal.id
        )
        self.access.record_change(restored.id, "unmerge", ["merged_into"])
        self.access.record_change(survivor.id, "unmerge", ["merged_into"])
        return restored, survivor
