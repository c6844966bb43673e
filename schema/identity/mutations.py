"""Identity mutations: decide candidates, merge and unmerge customers (stewards and admins)."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.identity import stewardship
from app.identity.survivorship import SurvivorshipRules
from schema.customers.types import Customer
from schema.identity.types import (
    CANDIDATE_TYPE,
    CandidateDecision,
    DuplicateCandidate,
    ResolveCandidatePayload,
    UnmergePayload,
)
from schema.ids import int_node_id_of, node_id_of


def _rules(info: Info) -> SurvivorshipRules:
    settings = info.context.settings
    return SurvivorshipRules.from_settings(
        settings.survivorship_priority, settings.survivorship_field_priority
    )


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(
        description="Decide a duplicate candidate: MATCH merges the pair (the newer customer "
        "into the older); NOT_MATCH is remembered so the pair is never proposed again."
    )
    async def resolve_candidate(
        self,
        info: Info,
        id: relay.GlobalID,
        decision: CandidateDecision,  # noqa: A002
    ) -> ResolveCandidatePayload:
        access = info.context.access
        access.require(stewardship.IDENTITY_STEWARDS, "resolve duplicate candidates")
        result = await stewardship.resolve_candidate(
            info.context.db,
            candidate_id=int_node_id_of(id, CANDIDATE_TYPE),
            decision=stewardship.CandidateDecision(decision.value),
            decided_by=access.principal.id,
            rules=_rules(info),
        )
        candidate = result.candidate
        for customer_id in (candidate.left_id, candidate.right_id):
            access.record_change(customer_id, "resolve_candidate", [decision.value])
        return ResolveCandidatePayload(
            candidate=DuplicateCandidate.from_model(candidate),
            survivor=Customer.from_model(result.survivor) if result.survivor else None,
        )

    @strawberry.mutation(
        description="Merge `mergedId` into `survivorId`: the merged id stays as a tombstone that "
        "resolves to the survivor; links, contact points, consents (the most restrictive "
        "wins), interactions and metrics move."
    )
    async def merge_customers(
        self, info: Info, survivor_id: relay.GlobalID, merged_id: relay.GlobalID
    ) -> Customer:
        access = info.context.access
        access.require(stewardship.IDENTITY_STEWARDS, "merge customers")
        survivor = await stewardship.merge(
            info.context.db,
            survivor_id=node_id_of(survivor_id, "Customer", argument="survivorId"),
            merged_id=(merged := node_id_of(merged_id, "Customer", argument="mergedId")),
            merged_by=access.principal.id,
            rules=_rules(info),
        )
        access.record_change(survivor.id, "merge", ["merged_into"])
        access.record_change(merged, "merge", ["merged_into"])
        return Customer.from_model(survivor)

    @strawberry.mutation(
        description="Undo a merge: restore the merged customer and its survivor exactly as they "
        "were, with their links, contact points and provenance. `id` is the merged customer."
    )
    async def unmerge_customer(self, info: Info, id: relay.GlobalID) -> UnmergePayload:  # noqa: A002
        access = info.context.access
        access.require(stewardship.IDENTITY_STEWARDS, "unmerge customers")
        restored, survivor = await stewardship.unmerge(
            info.context.db,
            customer_id=node_id_of(id, "Customer"),
            undone_by=access.principal.id,
        )
        access.record_change(restored.id, "unmerge", ["merged_into"])
        access.record_change(survivor.id, "unmerge", ["merged_into"])
        return UnmergePayload(
            restored=Customer.from_model(restored), survivor=Customer.from_model(survivor)
        )
