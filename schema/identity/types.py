"""Identity stewardship types: duplicate candidates with their evidence, merge results."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import relay

from app.store import models
from schema.connections import Edge
from schema.context import Info
from schema.customers.types import Customer
from schema.enums import mirror_enum

CANDIDATE_TYPE = "DuplicateCandidate"


@strawberry.enum(description="A steward's decision on a duplicate candidate.")
class CandidateDecision(Enum):
    MATCH = "match"
    NOT_MATCH = "not_match"


if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    CandidateStatus = models.CandidateStatus
else:
    CandidateStatus = mirror_enum(
        models.CandidateStatus, "CandidateStatus", "Where a duplicate candidate stands."
    )


@strawberry.type(description="How one field of the pair compared (no personal values).")
class MatchEvidence:
    field: str = strawberry.field(description="given_name, family_name, email, phone, ...")
    level: str = strawberry.field(description="Agreement level, e.g. exact, fuzzy, missing.")
    similarity: float | None = strawberry.field(description="Similarity in [0, 1], if compared.")
    weight: float = strawberry.field(description="Evidence in bits for (+) or against (-).")


@strawberry.type(description="Two customers that may be the same person, for a steward.")
class DuplicateCandidate:
    id: relay.GlobalID
    score: float = strawberry.field(description="Match score after the over-merge guards.")
    probability: float | None = strawberry.field(description="Fellegi-Sunter match probability.")
    status: CandidateStatus
    guards: list[str] = strawberry.field(
        description="Over-merge guards that sent the pair to review instead of linking it."
    )
    evidence: list[MatchEvidence] = strawberry.field(description="Per-field comparison.")
    created_at: datetime
    decided_at: datetime | None
    left_id: strawberry.Private[str]
    right_id: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.MatchCandidate) -> DuplicateCandidate:
        data: dict[str, Any] = row.evidence or {}
        return cls(
            id=relay.GlobalID(CANDIDATE_TYPE, str(row.id)),
            score=row.score,
            probability=data.get("probability"),
            status=CandidateStatus(row.status),
            guards=list(data.get("guards", [])),
            evidence=[
                MatchEvidence(
                    field=item["field"],
                    level=item["level"],
                    similarity=item.get("similarity"),
                    weight=item["weight"],
                )
                for item in data.get("fields", [])
            ],
            created_at=row.created_at,
            decided_at=row.decided_at,
            left_id=row.left_id,
            right_id=row.right_id,
        )

    @strawberry.field(description="The newer customer of the pair (as the caller may see it).")
    async def left(self, info: Info) -> Customer | None:
        return await _customer(info, self.left_id)

    @strawberry.field(description="The existing customer it resembles.")
    async def right(self, info: Info) -> Customer | None:
        return await _customer(info, self.right_id)


async def _customer(info: Info, customer_id: str) -> Customer | None:
    row = await info.context.loaders.customer_by_id.load(customer_id)
    return await Customer.visible(info, row) if row is not None else None


@strawberry.type(description="A page of duplicate candidates, strongest first.")
class DuplicateCandidateConnection:
    edges: list[Edge[DuplicateCandidate]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Pending candidates over minScore.")


@strawberry.type(description="A decided candidate and, for MATCH, the merged customer.")
class ResolveCandidatePayload:
    candidate: DuplicateCandidate
    survivor: Customer | None


@strawberry.type(description="Both customers of an undone merge, as they were before it.")
class UnmergePayload:
    restored: Customer = strawberry.field(description="The customer that had been merged.")
    survivor: Customer = strawberry.field(description="The customer it had been merged into.")
