"""A small generated data set with known truth, shared by the tests that need realistic data."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from app.identity.normalized import NormalizedRecord, normalize_record
from app.identity.record import FIELDS, PersonRecord
from bench.matching.generate import ERROR_RATES, people, records


@dataclass(frozen=True)
class GeneratedSet:
    """Records of generated people (moderate errors) and which of them are the same person."""

    records: list[PersonRecord]
    normalized: list[NormalizedRecord]
    true_pairs: set[frozenset[str]]  # by record id
    true_index_pairs: set[frozenset[int]]  # by position in `records`


def generated_set(people_count: int = 600, seed: int = 5) -> GeneratedSet:
    """Generate `people_count` people and their duplicates at the moderate error rate."""
    rows = list(records(people(people_count, seed=seed), ERROR_RATES["moderate"], seed=seed))
    person_records = [
        PersonRecord.from_fields(row["record_id"], {f: row[f] for f in FIELDS if f in row})
        for row in rows
    ]
    by_entity: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_entity[row["true_entity"]].append(index)
    index_pairs = {
        frozenset(pair)
        for members in by_entity.values()
        for pair in itertools.combinations(members, 2)
    }
    return GeneratedSet(
        records=person_records,
        normalized=[normalize_record(r) for r in person_records],
        true_pairs={frozenset(rows[i]["record_id"] for i in pair) for pair in index_pairs},
        true_index_pairs=index_pairs,
    )
