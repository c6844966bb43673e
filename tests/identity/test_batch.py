"""Whole-set matching: accuracy on generated data, linking two sets, the cluster-size guard."""

from __future__ import annotations

from app.identity.batch import deduplicate, link_sets
from app.identity.decision import Decision, Thresholds
from app.identity.engine import MatchEngine
from app.identity.record import PersonRecord
from tests.identity.generated import GeneratedSet


def test_dedupe_finds_the_generated_duplicates(generated: GeneratedSet) -> None:
    result = deduplicate(generated.records)

    matched = {
        frozenset((p.left_id, p.right_id)) for p in result.pairs if p.decision is Decision.MATCH
    }
    hits = len(matched & generated.true_pairs)
    precision, recall = hits / len(matched), hits / len(generated.true_pairs)
    assert precision > 0.98
    assert recall > 0.93
    assert result.records == len(generated.records)
    assert result.compared < 3 * len(generated.records)
    assert result.fit.converged
    assert all(p.score >= Thresholds().review for p in result.pairs)
    assert [p.score for p in result.pairs] == sorted((p.score for p in result.pairs), reverse=True)
    assert sum(len(c) for c in result.clusters) <= len(generated.records)


def test_link_pairs_each_left_record_with_its_right_twin(generated: GeneratedSet) -> None:
    left = generated.records[:300]
    right = [
        PersonRecord.from_fields(f"copy-{r.record_id}", r.field_values(), source="copy")
        for r in generated.records[:300:3]
    ]

    result = link_sets(left, right)

    found = {(p.left_id, p.right_id) for p in result.pairs if p.decision is Decision.MATCH}
    assert {(r.record_id, f"copy-{r.record_id}") for r in left[::3]} <= found
    assert all(p.left_id in {r.record_id for r in left} for p in result.pairs)


def test_clusters_larger_than_the_cap_send_pairs_to_review() -> None:
    same_person = [
        PersonRecord(
            f"r{i}",
            given_name="Ada",
            family_name="Lovelace",
            email="ada@example.org",
            birth_date="1815-12-10",
        )
        for i in range(6)
    ]
    engine = MatchEngine(thresholds=Thresholds(max_cluster_size=4))

    result = deduplicate(same_person, engine=engine, fit=False)

    assert max(len(c) for c in result.clusters) == 4
    assert result.count(Decision.REVIEW) > 0
    assert result.count(Decision.MATCH) + result.count(Decision.REVIEW) == 15
