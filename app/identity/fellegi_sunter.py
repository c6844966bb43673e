"""The Fellegi-Sunter match model: m/u probabilities per agreement level, and their EM estimate.

For each field, `m[k]` is the chance that a true match shows level k and `u[k]` the chance that
two different people do; log2(m/u) is the level's weight (evidence in bits). The weights of the
present fields plus the prior odds that two records are the same person give the probability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.identity.comparison import FIELD_SPECS, MISSING

_EPSILON = 1e-9
# The rarest agreement two different people can show; it caps a field's weight near 23 bits,
# so one shared value (a family's email) cannot outweigh everything else.
_U_FLOOR = 1e-7

# Levels run from "different" up to "same". m: how often true matches show each level.
_PRIOR_M: dict[str, tuple[float, ...]] = {
    "given_name": (0.05, 0.05, 0.10, 0.80),
    "family_name": (0.05, 0.04, 0.08, 0.83),
    "birth_date": (0.03, 0.03, 0.04, 0.90),
    "email": (0.25, 0.05, 0.70),
    "phone": (0.25, 0.05, 0.70),
    "address": (0.15, 0.05, 0.05, 0.10, 0.65),
    "national_id": (0.02, 0.98),
    "loyalty_id": (0.02, 0.98),
}
# u: how often two different people picked at random show each level.
_PRIOR_U: dict[str, tuple[float, ...]] = {
    "given_name": (0.965, 0.02, 0.005, 0.01),
    "family_name": (0.985, 0.01, 0.003, 0.002),
    "birth_date": (0.92, 0.0795, 0.0004, 0.0001),
    "email": (0.9999, 0.0001, 1e-6),
    "phone": (0.99999, 1e-5, 1e-6),
    "address": (0.989, 0.01, 0.0009, 0.0001, 1e-5),
    "national_id": (1.0, 1e-7),
    "loyalty_id": (1.0, 1e-7),
}
# u among candidate pairs (which share a blocking key, so different people agree more): only
# the starting point of EM, which needs a non-match class that resembles candidate pairs.
_CANDIDATE_U: dict[str, tuple[float, ...]] = {
    "given_name": (0.80, 0.08, 0.04, 0.08),
    "family_name": (0.50, 0.10, 0.10, 0.30),
    "birth_date": (0.90, 0.08, 0.01, 0.01),
    "email": (0.97, 0.02, 0.01),
    "phone": (0.98, 0.01, 0.01),
    "address": (0.60, 0.20, 0.10, 0.05, 0.05),
    "national_id": (0.999, 0.001),
    "loyalty_id": (0.999, 0.001),
}
_PRIOR_MATCH_CHANCE = 1e-4
_CANDIDATE_MATCH_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class MatchModel:
    """m and u per field and level (in `FIELD_SPECS` order), and the prior match chance.

    `prior` is the chance that two records picked at random are the same person: about
    (duplicates in the population) / (pairs in it), so it shrinks as the population grows.
    """

    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    prior: float

    @classmethod
    def default(cls) -> MatchModel:
        """The prior model: sensible m/u values, before any data is seen."""
        return cls(
            m=tuple(_PRIOR_M[spec.name] for spec in FIELD_SPECS),
            u=tuple(_PRIOR_U[spec.name] for spec in FIELD_SPECS),
            prior=_PRIOR_MATCH_CHANCE,
        )

    def level_weights(self) -> list[np.ndarray]:
        """Per field, the weight in bits of each level, with index 0 for MISSING (weight 0)."""
        return [
            np.concatenate(([0.0], np.log2(np.maximum(m, _EPSILON) / np.maximum(u, _EPSILON))))
            for m, u in zip(self.m, self.u, strict=True)
        ]

    def field_weights(self, levels: np.ndarray) -> np.ndarray:
        """Weights (bits) of each pair's field levels; `levels` has shape (pairs, fields)."""
        tables = self.level_weights()
        weights = np.empty(levels.shape, dtype=np.float64)
        for column, table in enumerate(tables):
            weights[:, column] = table[levels[:, column].astype(np.int64) - MISSING]
        return weights

    @property
    def prior_weight(self) -> float:
        """The prior odds of a match among candidate pairs, in bits."""
        return float(np.log2(self.prior / (1.0 - self.prior)))

    def probability(self, levels: np.ndarray) -> np.ndarray:
        """The match probability of each pair given its levels (shape (pairs, fields))."""
        return probability_from_weight(self.field_weights(levels).sum(axis=1) + self.prior_weight)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, keyed by field name, for storing a fitted model."""
        return {
            "prior": self.prior,
            "fields": {
                spec.name: {"m": list(m), "u": list(u)}
                for spec, m, u in zip(FIELD_SPECS, self.m, self.u, strict=True)
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """Read a model written by `to_dict`; fields it lacks take the default priors."""
        default = cls.default()
        stored = data.get("fields", {})
        m, u = [], []
        for i, spec in enumerate(FIELD_SPECS):
            entry = stored.get(spec.name)
            if entry and len(entry["m"]) == len(spec.levels) == len(entry["u"]):
                m.append(tuple(float(x) for x in entry["m"]))
                u.append(tuple(float(x) for x in entry["u"]))
            else:
                m.append(default.m[i])
                u.append(default.u[i])
        return cls(m=tuple(m), u=tuple(u), prior=float(data.get("prior", default.prior)))


def probability_from_weight(weight: np.ndarray) -> np.ndarray:
    """Turn total weights in bits (log2 odds) into probabilities."""
    probability: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60.0, 60.0)))
    return probability


@dataclass(frozen=True, slots=True)
class FitResult:
    """The outcome of `fit_model`: the fitted model and how the EM run went."""

    model: MatchModel
    candidate_match_share: float  # EM's estimate of the share of candidate pairs that match
    iterations: int
    converged: bool
    log_likelihood: float


def level_shares(levels: np.ndarray, weights: np.ndarray | None = None) -> list[np.ndarray | None]:
    """Per field, the (weighted) share of each level among pairs where the field is present."""
    shares: list[np.ndarray | None] = []
    for column, spec in enumerate(FIELD_SPECS):
        counts = np.bincount(
            levels[:, column].astype(np.int64) - MISSING,
            weights=weights,
            minlength=len(spec.levels) + 1,
        )[1:]
        shares.append(counts / counts.sum() if counts.sum() > 0 else None)
    return shares


def _log2_product(values: Sequence[Sequence[float]], patterns: np.ndarray) -> np.ndarray:
    # log2 of the product over present fields of each pattern's level probability.
    total = np.zeros(len(patterns))
    for column, per_level in enumerate(values):
        table = np.concatenate(([0.0], np.log2(per_level)))
        total += table[patterns[:, column] - MISSING]
    return total


def _smoothed(
    counts: np.ndarray, prior: Sequence[float], strength: float, floor: float = _EPSILON
) -> tuple[float, ...]:
    values = (counts + strength * np.asarray(prior)) / (counts.sum() + strength)
    values = np.maximum(values, floor)
    return tuple(float(v) for v in values / values.sum())


@dataclass(frozen=True, slots=True)
class _Mixture:
    """Two-class mixture over candidate pairs: matches (m) and the candidate non-matches (u)."""

    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    share: float

    def posterior(self, patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Match posterior of each pattern, and each pattern's log2 likelihood."""
        log_match = np.log2(self.share) + _log2_product(self.m, patterns)
        log_other = np.log2(1.0 - self.share) + _log2_product(self.u, patterns)
        top = np.maximum(log_match, log_other)
        log_total = top + np.log2(np.exp2(log_match - top) + np.exp2(log_other - top))
        return np.exp2(log_match - log_total), log_total


def _em(
    patterns: np.ndarray,
    counts: np.ndarray,
    mixture: _Mixture,
    *,
    m_prior: Sequence[Sequence[float]],
    prior_strength: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[_Mixture, int, bool, float]:
    previous = -np.inf
    log_likelihood = previous
    for iteration in range(1, max_iterations + 1):
        posterior, log_total = mixture.posterior(patterns)
        log_likelihood = float((counts * log_total).sum())
        match_counts = counts * posterior
        other_counts = counts - match_counts
        m_values, u_values = [], []
        for column, spec in enumerate(FIELD_SPECS):
            index = patterns[:, column] - MISSING
            size = len(spec.levels) + 1
            matched = np.bincount(index, weights=match_counts, minlength=size)[1:]
            other = np.bincount(index, weights=other_counts, minlength=size)[1:]
            # Dirichlet pseudo-counts keep small data sets near the seed values.
            m_values.append(_smoothed(matched, m_prior[column], prior_strength))
            u_values.append(_smoothed(other, _CANDIDATE_U[spec.name], prior_strength))
        share = float(np.clip(match_counts.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        mixture = _Mixture(m=tuple(m_values), u=tuple(u_values), share=share)
        if abs(log_likelihood - previous) <= tolerance * abs(log_likelihood):
            return mixture, iteration, True, log_likelihood
        previous = log_likelihood
    return mixture, max_iterations, False, log_likelihood


def fit_model(
    candidate_levels: np.ndarray,
    random_levels: np.ndarray,
    *,
    total_pairs: int,
    start: MatchModel | None = None,
    prior_strength: float = 50.0,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> FitResult:
    """Estimate a model from the data itself.

    1. EM over the candidate pairs (`candidate_levels`) fits two classes, matches and candidate
       non-matches, seeded with `start`'s m-values; this gives m and the matching share.
    2. u comes from `random_levels` (levels of random pairs), each pair weighted by its chance of
       being a non-match under the EM fit, so the few true matches drawn do not inflate u.
    3. The prior is the expected number of matches among candidates over `total_pairs`.

    Dirichlet pseudo-counts of weight `prior_strength` keep small data sets near `start`. A field
    whose fitted m for "same" does not exceed its u keeps `start`'s values: EM split the pairs
    on something other than identity for that field.
    """
    seed = start or MatchModel.default()
    mixture = _Mixture(
        m=seed.m,
        u=tuple(_CANDIDATE_U[spec.name] for spec in FIELD_SPECS),
        share=_CANDIDATE_MATCH_SHARE,
    )
    iterations, converged, log_likelihood = 0, True, 0.0
    if len(candidate_levels):
        patterns, counts = np.unique(candidate_levels, axis=0, return_counts=True)
        mixture, iterations, converged, log_likelihood = _em(
            patterns.astype(np.int64),
            counts.astype(np.float64),
            mixture,
            m_prior=seed.m,
            prior_strength=prior_strength,
            max_iterations=max_iterations,
            tolerance=tolerance,
        )

    u_values = list(seed.u)
    if len(random_levels):
        non_match = 1.0 - mixture.posterior(random_levels.astype(np.int64))[0]
        for column, share in enumerate(level_shares(random_levels, non_match)):
            if share is not None:
                observed = share * non_match.sum()
                u_values[column] = _smoothed(observed, seed.u[column], prior_strength, _U_FLOOR)
    m_values = list(mixture.m)
    for column in range(len(FIELD_SPECS)):
        if m_values[column][-1] <= u_values[column][-1]:
            m_values[column], u_values[column] = seed.m[column], seed.u[column]
    expected_matches = mixture.share * len(candidate_levels)
    prior = expected_matches / total_pairs if total_pairs and expected_matches else seed.prior
    model = MatchModel(
        m=tuple(m_values), u=tuple(u_values), prior=float(np.clip(prior, 1e-12, 0.5))
    )
    return FitResult(
        model=model,
        candidate_match_share=mixture.share,
        iterations=iterations,
        converged=converged,
        log_likelihood=log_likelihood,
    )
