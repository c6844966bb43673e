"""Blocking: cheap keys that put likely matches together, so only pairs sharing a key are scored.

A record gets several keys (email, phone, phonetic family name + postcode, birth date + an
initial, phonetic full name, ids); two records become a candidate pair when any key is shared.
A key shared by too many records (a shop's phone, "info@" addresses) says little and would
explode the pair count, so such blocks are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jellyfish
import numpy as np

from app.identity.nicknames import formal_given_name
from app.identity.normalized import NormalizedRecord

DEFAULT_MAX_BLOCK_SIZE = 100


def _name_key(record: NormalizedRecord) -> str:
    # Sorted, and the family name read as a given name too, so that a record with swapped names
    # ("Smith Bill") gets the key of "William Smith".
    family = record.family_name.replace(" ", "")
    parts = sorted(jellyfish.nysiis(part) for part in (record.given_key, formal_given_name(family)))
    return "|".join(parts)


def blocking_keys(record: NormalizedRecord) -> list[str]:
    """The blocking keys of a record, each prefixed with its kind ("email:", "name:", ...).

    The master store can index these to find the candidates of an incoming record.
    """
    keys: list[str] = []
    if record.email:
        keys.append(f"email:{record.email}")
    if record.phone:
        keys.append(f"phone:{record.phone}")
    if record.family_phonetic and record.postcode:
        keys.append(f"family_postcode:{record.family_phonetic}|{record.postcode}")
    if record.birth_date:
        # Both initials, so nicknames with another initial ("Bill") or swapped names still meet.
        initials = {record.given_key[:1], record.family_name[:1]} - {""}
        keys.extend(f"birth_initial:{record.birth_date}|{initial}" for initial in sorted(initials))
    if record.given_key and record.family_name:
        keys.append(f"name:{_name_key(record)}")
    if record.national_id:
        keys.append(f"national_id:{record.national_id}")
    if record.loyalty_id:
        keys.append(f"loyalty_id:{record.loyalty_id}")
    return keys


def search_keys(record: NormalizedRecord) -> list[str]:
    """Keys to look up for a search query: the blocking keys plus broader name keys.

    A caller's query is often partial ("Jane Doe in Leeds", just a family name), so searches also
    use the phonetic family name alone ("family:") and the postcode district ("district:");
    these keys are too broad for batch blocking and are meant for a store lookup with a limit.
    """
    keys = blocking_keys(record)
    if record.family_phonetic:
        keys.append(f"family:{record.family_phonetic}")
    if record.postcode_district:
        keys.append(f"district:{record.postcode_district}")
    return keys


@dataclass(frozen=True, slots=True)
class CandidatePairs:
    """Candidate pairs as index arrays, and what blocking did to get them."""

    left: np.ndarray  # int64 record indices
    right: np.ndarray
    blocks: int  # blocks with at least one pair
    skipped_blocks: int  # blocks over the size cap
    skipped_examples: tuple[str, ...]  # a few of the skipped keys, for the report

    def __len__(self) -> int:
        return len(self.left)


def _group(keys_per_record: Iterable[Sequence[str]]) -> dict[str, list[int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(keys_per_record):
        for key in keys:
            blocks[key].append(index)
    return blocks


def candidate_pairs(
    keys_per_record: Sequence[Sequence[str]],
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    left_size: int | None = None,
) -> CandidatePairs:
    """Every distinct pair of records that share a blocking key, with `left < right`.

    With `left_size` (linking two sets), records `[0, left_size)` are one side and the rest the
    other, and only pairs across the sides are returned. Blocks whose pair count exceeds that of
    a block of `max_block_size` records are skipped.
    """
    n = len(keys_per_record)
    max_pairs = max_block_size * (max_block_size - 1) // 2
    by_size: dict[int, list[list[int]]] = defaultdict(list)
    skipped: list[tuple[int, str]] = []
    for key, members in _group(keys_per_record).items():
        if len(members) < 2:
            continue
        if left_size is None:
            pair_count = len(members) * (len(members) - 1) // 2
        else:
            on_left = sum(1 for m in members if m < left_size)
            pair_count = on_left * (len(members) - on_left)
            if pair_count == 0:
                continue
        if pair_count > max_pairs:
            skipped.append((len(members), key))
            continue
        by_size[len(members)].append(members)

    codes = [np.zeros(0, dtype=np.int64)]
    for size, groups in by_size.items():
        # All blocks of one size at once: every (i, j) of the upper triangle, for every block.
        matrix = np.asarray(groups, dtype=np.int64)
        first, second = np.triu_indices(size, k=1)
        left, right = matrix[:, first].ravel(), matrix[:, second].ravel()
        if left_size is not None:
            across = (left < left_size) & (right >= left_size)
            left, right = left[across], right[across]
        codes.append(left * n + right)
    unique = np.unique(np.concatenate(codes))
    skipped.sort(reverse=True)
    return CandidatePairs(
        left=unique // n if n else unique,
        right=unique % n if n else unique,
        blocks=sum(len(groups) for groups in by_size.values()),
        skipped_blocks=len(skipped),
        skipped_examples=tuple(key for _, key in skipped[:5]),
    )
