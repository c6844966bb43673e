"""The Fellegi-Sunter model: EM on generated data, weights, and storage."""

from __future__ import annotations

import numpy as np
import pytest

from app.identity.blocking import blocking_keys, candidate_pairs
from app.identity.comparison import FIELD_INDEX, FIELD_SPECS, MISSING, compare_pairs
from app.identity.decision import Thresholds
from app.identity.evidence import guarded_scores
from app.identity.fellegi_sunter import MatchModel, fit_model
from app.identity.table import RecordTable
from tests.identity.generated import GeneratedSet


@pytest.fixture(scope="module")
def levels(generated: GeneratedSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = RecordTable(generated.normalized)
    pairs = candidate_pairs([blocking_keys(r) for r in generated.normalized])
    rng = np.random.default_rng(1)
    left, right = rng.integers(0, len(table), 20_000), rng.integers(0, len(table), 20_000)
    keep = left != right
    candidate = compare_pairs(table, table, pairs.left, pairs.right).levels
    random = compare_pairs(table, table, left[keep], right[keep]).levels
    truth = np.array(
        [
            frozenset(p) in generated.true_index_pairs
            for p in zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)
        ]
    )
    return candidate, random, truth


def _true_share(levels: np.ndarray, column: int, level: int) -> float:
    present = levels[:, column] != MISSING
    return float((levels[present, column] == level).mean())


def test_em_converges_to_sensible_m_and_u(
    levels: tuple[np.ndarray, np.ndarray, np.ndarray], generated: GeneratedSet
) -> None:
    candidate, random, truth = levels
    n = len(generated.records)

    fit = fit_model(candidate, random, total_pairs=n * (n - 1) // 2)

    assert fit.converged
    # The share of matches among candidates is close to the truth the model never saw.
    assert fit.candidate_match_share == pytest.approx(truth.mean(), abs=0.05)
    for spec in FIELD_SPECS:
        column = FIELD_INDEX[spec.name]
        m, u = fit.model.m[column], fit.model.u[column]
        assert m[-1] > 0.6, spec.name  # true matches mostly agree exactly
        assert u[-1] < 0.01, spec.name  # different people rarely do
        assert m[-1] / u[-1] > 50, spec.name
        # m for exact agreement is near what the labelled matches show.
        true_m = _true_share(candidate[truth], column, len(spec.levels) - 1)
        assert m[-1] == pytest.approx(true_m, abs=0.08), spec.name
    # Expected matches over all pairs: about true pairs / all pairs.
    true_prior = len(generated.true_pairs) / (n * (n - 1) / 2)
    assert fit.model.prior == pytest.approx(true_prior, rel=0.25)


def test_em_recovers_m_values_from_a_flat_start(
    levels: tuple[np.ndarray, np.ndarray, np.ndarray], generated: GeneratedSet
) -> None:
    candidate, random, truth = levels
    n = len(generated.records)
    default = MatchModel.default()
    # Flat m-values: for a match, "same" is no more likely than any other level.
    flat = MatchModel(
        m=tuple(tuple([1.0 / len(m)] * len(m)) for m in default.m),
        u=default.u,
        prior=default.prior,
    )
    thresholds = Thresholds()

    fitted = fit_model(candidate, random, total_pairs=n * (n - 1) // 2, start=flat).model

    for spec in FIELD_SPECS:
        column = FIELD_INDEX[spec.name]
        if (candidate[truth, column] != MISSING).sum() < 200:
            continue  # sparse fields (national ids) stay near the start, by design
        true_m = _true_share(candidate[truth], column, len(spec.levels) - 1)
        assert fitted.m[column][-1] == pytest.approx(true_m, abs=0.1), spec.name
    scores = guarded_scores(fitted.probability(candidate), candidate, thresholds)
    assert ((scores >= thresholds.auto_link) != truth).mean() < 0.03


def test_weights_are_positive_for_agreement_and_zero_when_missing() -> None:
    model = MatchModel.default()
    levels = np.array([[3, 3, 3, 2, 2, 4, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0]], dtype=np.int8)
    missing = np.full((1, len(FIELD_SPECS)), MISSING, dtype=np.int8)

    weights = model.field_weights(levels)

    assert (weights[0] > 0).all()
    assert (weights[1] < 0).all()
    assert (model.field_weights(missing) == 0).all()
    assert model.probability(missing)[0] == pytest.approx(model.prior)


def test_model_round_trips_through_a_dict() -> None:
    model = fit_model(
        np.zeros((0, len(FIELD_SPECS)), dtype=np.int8),
        np.zeros((0, len(FIELD_SPECS)), dtype=np.int8),
        total_pairs=0,
    ).model
    assert MatchModel.from_dict(model.to_dict()) == model
    assert MatchModel.from_dict({}) == MatchModel.default()
