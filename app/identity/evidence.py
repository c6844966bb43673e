"""A scored pair that explains itself: per-field level, similarity and weight, and any guard."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.identity.comparison import FIELD_INDEX, FIELD_SPECS, MISSING, PairComparison
from app.identity.decision import Decision, Thresholds
from app.identity.fellegi_sunter import MatchModel

GUARD_NATIONAL_ID = "national ids differ"
GUARD_BIRTH_DATE = "birth dates differ"
GUARD_GIVEN_NAME = "given names differ"
GUARD_SEVERAL_MATCHES = "several existing records match"


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """How one field of a pair compared: level name, similarity in [0, 1], weight in bits."""

    field: str
    level: str  # a name from FieldSpec.levels, or "missing"
    similarity: float | None
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for `match_candidate.evidence`)."""
        return {
            "field": self.field,
            "level": self.level,
            "similarity": self.similarity,
            "weight": self.weight,
        }


@dataclass(frozen=True, slots=True)
class MatchScore:
    """The assessment of one pair of records.

    `probability` is the Fellegi-Sunter match probability; `score` is the same after the
    over-merge guards, which cap it just under the auto-link threshold. `decision` follows `score`.
    """

    left_id: str
    right_id: str
    score: float
    probability: float
    decision: Decision
    evidence: tuple[FieldEvidence, ...]
    swapped_names: bool
    guards: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for `match_candidate` rows and API answers)."""
        return {
            "left_id": self.left_id,
            "right_id": self.right_id,
            "score": self.score,
            "probability": self.probability,
            "decision": self.decision.value,
            "swapped_names": self.swapped_names,
            "guards": list(self.guards),
            "evidence": [item.to_dict() for item in self.evidence],
        }


def guard_masks(levels: np.ndarray) -> dict[str, np.ndarray]:
    """Per guard, the pairs (rows of `levels`) that trip it: reviewed at most, never auto-linked."""
    return {
        GUARD_NATIONAL_ID: levels[:, FIELD_INDEX["national_id"]] == 0,
        GUARD_BIRTH_DATE: levels[:, FIELD_INDEX["birth_date"]] == 0,
        # Relatives share family name, address and phone: those agreements are not independent
        # evidence, and a different given name is what tells them apart.
        GUARD_GIVEN_NAME: levels[:, FIELD_INDEX["given_name"]] == 0,
    }


def guarded_scores(
    probability: np.ndarray, levels: np.ndarray, thresholds: Thresholds
) -> np.ndarray:
    """Match probabilities with guarded pairs capped just under the auto-link threshold."""
    tripped = np.zeros(len(probability), dtype=bool)
    for mask in guard_masks(levels).values():
        tripped |= mask
    return np.where(tripped, np.minimum(probability, thresholds.review_ceiling), probability)


def explain(
    comparison: PairComparison,
    row: int,
    *,
    left_id: str,
    right_id: str,
    model: MatchModel,
    thresholds: Thresholds,
) -> MatchScore:
    """Build the explained `MatchScore` of pair `row` of a comparison."""
    levels = comparison.levels[row : row + 1]
    weights = model.field_weights(levels)[0]
    probability = float(model.probability(levels)[0])
    score = float(guarded_scores(np.array([probability]), levels, thresholds)[0])
    evidence = []
    for column, spec in enumerate(FIELD_SPECS):
        level = int(levels[0, column])
        similarity = float(comparison.similarity[row, column])
        evidence.append(
            FieldEvidence(
                field=spec.name,
                level="missing" if level == MISSING else spec.levels[level],
                similarity=None if math.isnan(similarity) else round(similarity, 4),
                weight=round(float(weights[column]), 3),
            )
        )
    return MatchScore(
        left_id=left_id,
        right_id=right_id,
        score=score,
        probability=probability,
        decision=thresholds.decide(score),
        evidence=tuple(evidence),
        swapped_names=bool(comparison.swapped_names[row]),
        guards=tuple(name for name, mask in guard_masks(levels).items() if mask[0]),
    )
