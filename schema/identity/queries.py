"""Identity queries: the duplicate candidates awaiting a steward."""

from __future__ import annotations

import strawberry

from app.identity.stewardship import duplicate_candidates
from app.pagination import requested_page_size
from app.privacy import policy
from schema.connections import Edge, page_info
from schema.context import Info
from schema.identity.types import DuplicateCandidate, DuplicateCandidateConnection
from schema.permissions import requires


@strawberry.type
class IdentityQueries:
    @strawberry.field(
        description="Pairs of customers that may be the same person, strongest first, "
        "with per-field evidence (stewards, admins and analysts).",
        extensions=[requires(policy.IDENTITY_REVIEWERS, "list duplicate candidates")],
    )
    async def duplicate_candidates(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        min_score: float = 0.0,
    ) -> DuplicateCandidateConnection:
        size = requested_page_size(first, info.context.settings)
        page, total = await duplicate_candidates(
            info.context.db, min_score=min_score, first=size, after=after
        )
        return DuplicateCandidateConnection(
            edges=[
                Edge(cursor=cursor, node=DuplicateCandidate.from_model(row))
                for cursor, row in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
            total_count=total,
        )
