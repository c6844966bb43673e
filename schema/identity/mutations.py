"""Identity mutations: decide candidates, merge and unmerge customers (stewards and admins)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.identity import stewardship
from app.privacy import policy
from schema.context import Info
from schema.customers.types import Customer
from schema.identity.types import (
    CANDIDATE_TYPE,
    CandidateDecision,
    DuplicateCandidate,
    ResolveCandidatePayload,
    UnmergePayload,
)
from schema.ids import int_node_id_of, node_id_of
from schema.permissions import requires


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(
        description="Decide a duplicate candidate: MATCH merges the pair (the newer customer "
        "into the older); NOT_MATCH is remembered so the pair is never proposed again.",
        extensions=[requires(policy.IDENTITY_STEWARDS, "resolve duplicate candidates")],
    )
    async def resolve_candidate(
        self,
        info: Info,
        id: relay.GlobalID,
        decision: CandidateDecision,  # noqa: A002
    ) -> ResolveCandidatePayload:
        result = await info.context.stewards.resolve_candidate(
            int_node_id_of(id, CANDIDATE_TYPE), stewardship.CandidateDecision(decision.value)
        )
        return ResolveCandidatePayload(
            candidate=DuplicateCandidate.from_model(result.candidate),
            survivor=Customer.from_model(result.survivor) if result.survivor else None,
        )

    @strawberry.mutation(
        description="Merge `mergedId` into `survivorId`: the merged id stays as a tombstone that "
        "resolves to the survivor; links, contact points, consents (the most restrictive "
        "wins), interactions and metrics move.",
        extensions=[requires(policy.IDENTITY_STEWARDS, "merge customers")],
    )
    async def merge_customers(
        self, info: Info, survivor_id: relay.GlobalID, merged_id: relay.GlobalID
    ) -> Customer:
        survivor = await info.context.stewards.merge(
            node_id_of(survivor_id, "Customer", argument="survivorId"),
            node_id_of(merged_id, "Customer", argument="mergedId"),
        )
        return Customer.from_model(survivor)

    @strawberry.mutation(
        description="Undo a merge: restore the merged customer and its survivor exactly as they "
        "were, with their links, contact points and provenance. `id` is the merged customer.",
        extensions=[requires(policy.IDENTITY_STEWARDS, "unmerge customers")],
    )
    async def unmerge_customer(self, info: Info, id: relay.GlobalID) -> UnmergePayload:  # noqa: A002
        restored, survivor = await info.context.stewards.unmerge(node_id_of(id, "Customer"))
        return UnmergePayload(
            restored=Customer.from_model(restored), survivor=Customer.from_model(survivor)
        )
