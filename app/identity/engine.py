"""The matching engine for one record at a time: score a pair, rank candidates, link a record.

The master store finds candidates through `blocking_keys` / `search_keys`, loads them, and asks
the engine; the engine holds no data and touches no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.identity.comparison import compare_pairs
from app.identity.decision import Decision, Thresholds
from app.identity.evidence import GUARD_SEVERAL_MATCHES, MatchScore, explain
from app.identity.fellegi_sunter import MatchModel
from app.identity.normalized import NormalizedRecord, normalize_record
from app.identity.record import PersonRecord
from app.identity.table import RecordTable


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """Where an incoming record belongs among its candidates.

    `decision` is MATCH with `best` the record to join, REVIEW with `best` the strongest
    candidate for a steward (every REVIEW/MATCH score is in `scores`), or DISTINCT.
    """

    decision: Decision
    best: MatchScore | None
    scores: tuple[MatchScore, ...]  # all candidates, strongest first


class MatchEngine:
    """Normalizes, scores and decides on person records with one match model and thresholds."""

    def __init__(
        self,
        *,
        model: MatchModel | None = None,
        thresholds: Thresholds | None = None,
        default_region: str = "GB",
    ) -> None:
        self.model = model or MatchModel.default()
        self.thresholds = thresholds or Thresholds()
        self.default_region = default_region

    def normalize(self, record: PersonRecord | NormalizedRecord) -> NormalizedRecord:
        """The normalized form of a record (a normalized record is returned as it is)."""
        if isinstance(record, NormalizedRecord):
            return record
        return normalize_record(record, default_region=self.default_region)

    def rank(
        self,
        query: PersonRecord | NormalizedRecord,
        candidates: Sequence[PersonRecord | NormalizedRecord],
        *,
        limit: int | None = None,
    ) -> list[MatchScore]:
        """Score `query` against every candidate and return the scores, strongest first.

        Serves search too: a partial query (only a name and a city) scores on what it has.
        """
        if not candidates:
            return []
        query_table = RecordTable([self.normalize(query)])
        candidate_table = RecordTable([self.normalize(c) for c in candidates])
        comparison = compare_pairs(
            query_table,
            candidate_table,
            np.zeros(len(candidate_table), dtype=np.int64),
            np.arange(len(candidate_table)),
        )
        scores = [
            explain(
                comparison,
                row,
                left_id=query_table.records[0].record_id,
                right_id=candidate_table.records[row].record_id,
                model=self.model,
                thresholds=self.thresholds,
            )
            for row in range(len(candidate_table))
        ]
        scores.sort(key=lambda s: s.score, reverse=True)
        return scores[:limit] if limit is not None else scores

    def score(
        self, left: PersonRecord | NormalizedRecord, right: PersonRecord | NormalizedRecord
    ) -> MatchScore:
        """The explained score of one pair."""
        return self.rank(left, [right])[0]

    def link(
        self,
        record: PersonRecord | NormalizedRecord,
        candidates: Sequence[PersonRecord | NormalizedRecord],
    ) -> LinkOutcome:
        """Decide whether `record` joins one of `candidates` (existing records), or stands alone.

        Candidates that share a `record_id` are one existing entity (e.g. a customer's several
        source records). When two different entities both clear the auto-link threshold, linking
        would silently merge them, so the outcome is REVIEW instead.
        """
        scores = self.rank(record, candidates)
        if not scores or scores[0].decision is Decision.DISTINCT:
            return LinkOutcome(decision=Decision.DISTINCT, best=None, scores=tuple(scores))
        best = scores[0]
        matched_entities = {s.right_id for s in scores if s.decision is Decision.MATCH}
        if len(matched_entities) > 1:
            best = replace(
                best,
                score=self.thresholds.review_ceiling,
                decision=Decision.REVIEW,
                guards=(*best.guards, GUARD_SEVERAL_MATCHES),
            )
        return LinkOutcome(decision=best.decision, best=best, scores=tuple(scores))
