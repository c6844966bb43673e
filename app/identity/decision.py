"""Match decisions: thresholds on the match score, and the guards against over-merging."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    """What to do with a pair: link it, ask a steward, or keep the records apart."""

    MATCH = "match"
    REVIEW = "review"
    DISTINCT = "distinct"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds on the match score (a probability) and the cluster-size guard.

    Defaults were chosen once on generated data and are not tuned per data set.
    """

    auto_link: float = 0.9
    review: float = 0.3
    max_cluster_size: int = 10

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.auto_link <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= review <= auto_link <= 1")
        if self.max_cluster_size < 2:
            raise ValueError("max_cluster_size must be at least 2")

    @property
    def review_ceiling(self) -> float:
        """The highest score a guarded pair keeps: just under `auto_link`, so it goes to review.

        One millionth under, so the cap survives scores written with six decimals.
        """
        return max(self.review, self.auto_link - 1e-6)

    def decide(self, score: float) -> Decision:
        """The decision for one score."""
        if score >= self.auto_link:
            return Decision.MATCH
        if score >= self.review:
            return Decision.REVIEW
        return Decision.DISTINCT
