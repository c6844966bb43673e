"""Blocking: the keys, the size of the candidate set, the block cap and linking two sets."""

from __future__ import annotations

from app.identity.blocking import blocking_keys, candidate_pairs, search_keys
from app.identity.normalized import normalize_record
from app.identity.record import PersonRecord
from tests.identity.generated import GeneratedSet


def test_keys_cover_contacts_names_birth_date_and_ids() -> None:
    record = normalize_record(
        PersonRecord(
            "1",
            given_name="Bill",
            family_name="Smith",
            email="bill@example.org",
            phone="020 7946 0018",
            postcode="SW1A 1AA",
            birth_date="1980-03-04",
            loyalty_id="LY1",
        )
    )
    kinds = {key.split(":", 1)[0] for key in blocking_keys(record)}
    assert kinds == {
        "email",
        "phone",
        "family_postcode",
        "birth_initial",
        "name",
        "loyalty_id",
    }
    assert "family:SM0" in search_keys(record)


def test_swapped_names_and_nicknames_share_a_name_key() -> None:
    straight = normalize_record(PersonRecord("1", given_name="William", family_name="Smith"))
    swapped = normalize_record(PersonRecord("2", given_name="Smith", family_name="Bill"))
    assert set(blocking_keys(straight)) & set(blocking_keys(swapped))


def test_candidate_pairs_stay_a_small_multiple_of_the_records(generated: GeneratedSet) -> None:
    keys = [blocking_keys(r) for r in generated.normalized]
    pairs = candidate_pairs(keys)
    n = len(generated.normalized)
    found = {frozenset(p) for p in zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)}

    assert len(pairs) < 3 * n  # versus n * (n - 1) / 2 for all pairs
    assert (pairs.left < pairs.right).all()
    assert len(found & generated.true_index_pairs) / len(generated.true_index_pairs) > 0.97


def test_oversized_blocks_are_skipped() -> None:
    keys = [["phone:+441234567890", f"email:{i}@example.org"] for i in range(30)] + [
        ["email:0@example.org"]
    ]
    pairs = candidate_pairs(keys, max_block_size=10)
    assert pairs.skipped_blocks == 1
    assert pairs.skipped_examples == ("phone:+441234567890",)
    assert list(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == [(0, 30)]


def test_linking_pairs_only_across_the_two_sets() -> None:
    keys = [["k"], ["k"], ["k"], ["k"]]
    pairs = candidate_pairs(keys, left_size=2)
    assert sorted(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == [
        (0, 2),
        (0, 3),
        (1, 2),
        (1, 3),
    ]
