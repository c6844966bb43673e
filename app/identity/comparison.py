"""Per-field comparison of record pairs into discrete agreement levels, vectorised over pairs.

Each field gets a level per pair: -1 when either side lacks the value, 0 for disagreement, and
higher levels for stronger agreement; the Fellegi-Sunter model turns levels into weights. The
similarity behind each level is kept as evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jellyfish
import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from app.identity.table import RecordTable

MISSING = -1


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A compared field and the names of its agreement levels, from 0 (disagree) upwards."""

    name: str
    levels: tuple[str, ...]


FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("given_name", ("different", "similar", "close", "same")),
    FieldSpec("family_name", ("different", "similar", "close", "same")),
    FieldSpec("birth_date", ("different", "partly same", "swapped or typo", "same")),
    FieldSpec("email", ("different", "one typo", "same")),
    FieldSpec("phone", ("different", "one digit off", "same")),
    FieldSpec("address", ("different", "same town", "same area", "same street", "same")),
    FieldSpec("national_id", ("different", "same")),
    FieldSpec("loyalty_id", ("different", "same")),
)
"""The compared fields, in the column order of `PairComparison.levels`."""

FIELD_INDEX: dict[str, int] = {spec.name: i for i, spec in enumerate(FIELD_SPECS)}

# Jaro-Winkler cut-offs for names: 0.92 separates typos from different names in practice.
_NAME_CLOSE = 0.92
_NAME_SIMILAR = 0.80
_STREET_SAME = 0.85
_CITY_SAME = 0.90


@dataclass(frozen=True, slots=True)
class PairComparison:
    """Agreement levels and similarities of many pairs: arrays of shape (pairs, fields)."""

    levels: np.ndarray  # int8, MISSING where either side lacks the field
    similarity: np.ndarray  # float32 in [0, 1], NaN where missing
    swapped_names: np.ndarray  # bool per pair: given/family names matched crosswise


_PARALLEL_PAIRS = 5_000


def _similarity(scorer: Callable[..., float], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if len(left) == 0:
        return np.zeros(0, dtype=np.float32)
    # Threads pay off on batch runs; starting them costs ~0.5 ms, which dominates one record.
    workers = -1 if len(left) >= _PARALLEL_PAIRS else 1
    return process.cpdist(left, right, scorer=scorer, workers=workers).astype(np.float32)


def _present(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    present: np.ndarray = (left != "") & (right != "")
    return present


def _name_levels(
    left: np.ndarray, right: np.ndarray, similarity: np.ndarray, phonetic_equal: np.ndarray
) -> np.ndarray:
    levels = np.zeros(len(left), dtype=np.int8)
    levels[(similarity >= _NAME_SIMILAR) | phonetic_equal] = 1
    levels[similarity >= _NAME_CLOSE] = 2
    levels[left == right] = 3
    return levels


def _initial_agrees(
    left: np.ndarray, right: np.ndarray, left_length: np.ndarray, right_length: np.ndarray
) -> np.ndarray:
    """Where one side is a bare initial and the other name starts with it."""
    one_letter = np.flatnonzero(_present(left, right) & ((left_length == 1) | (right_length == 1)))
    agrees = np.zeros(len(left), dtype=bool)
    agrees[one_letter] = [left[k][0] == right[k][0] for k in one_letter]
    return agrees


def _metaphone_all(names: np.ndarray) -> np.ndarray:
    return np.array(
        [jellyfish.metaphone(n.replace(" ", "")).upper() if n else "" for n in names], dtype=object
    )


def _compare_names(
    left: RecordTable, right: RecordTable, li: np.ndarray, ri: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lg, rg = left.column("given_key")[li], right.column("given_key")[ri]
    lf, rf = left.column("family_name")[li], right.column("family_name")[ri]
    lfp, rfp = left.column("family_phonetic")[li], right.column("family_phonetic")[ri]
    given_sim = _similarity(JaroWinkler.normalized_similarity, lg, rg)
    family_sim = _similarity(JaroWinkler.normalized_similarity, lf, rf)

    # Crosswise: left given vs right family (read as a given name), and the other way round.
    rf_as_given = right.column("family_as_given_key")[ri]
    rg_full = right.column("given_name")[ri]
    cross_given = _similarity(JaroWinkler.normalized_similarity, lg, rf_as_given)
    cross_family = _similarity(JaroWinkler.normalized_similarity, lf, rg_full)
    # An initial ("A.") read crosswise counts as close when it is the other name's initial.
    lg_length = left.lengths("given_key")[li]
    cross_initial = _initial_agrees(
        lg, rf_as_given, lg_length, right.lengths("family_as_given_key")[ri]
    )
    swapped = (
        _present(lg, rf_as_given)
        & _present(lf, rg_full)
        & (cross_family >= _NAME_CLOSE)
        & ((cross_given >= _NAME_SIMILAR) | cross_initial)
        & (np.maximum(cross_given, cross_initial) + cross_family > given_sim + family_sim + 0.1)
    )
    if swapped.any():
        rg, rf = rg.copy(), rf.copy()
        rfp = rfp.copy()
        rg[swapped], rf[swapped] = rf_as_given[swapped], rg_full[swapped]
        rfp[swapped] = _metaphone_all(rf[swapped])
        given_sim[swapped], family_sim[swapped] = cross_given[swapped], cross_family[swapped]

    # Given names are short and sound alike too easily (Jane, John: both "JN"), so for them
    # a shared phonetic key is not evidence on its own.
    given_levels = _name_levels(lg, rg, given_sim, np.zeros(len(lg), dtype=bool))
    # An initial ("J.") agrees weakly with any name that starts with it.
    rg_length = right.lengths("given_key")[ri]
    if swapped.any():
        rg_length = np.where(swapped, right.lengths("family_as_given_key")[ri], rg_length)
    given_levels[(given_levels == 0) & _initial_agrees(lg, rg, lg_length, rg_length)] = 1
    family_levels = _name_levels(lf, rf, family_sim, _present(lfp, rfp) & (lfp == rfp))
    given_levels[~_present(lg, rg)] = MISSING
    family_levels[~_present(lf, rf)] = MISSING
    return given_levels, given_sim, family_levels, family_sim, swapped


def _compare_dates(
    left: RecordTable, right: RecordTable, li: np.ndarray, ri: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    present = _present(left.column("birth_date")[li], right.column("birth_date")[ri])
    levels = np.full(len(li), MISSING, dtype=np.int8)
    similarity = np.full(len(li), np.nan, dtype=np.float32)
    a = left.birth_digits[li[present]]
    b = right.birth_digits[ri[present]]
    differs = a != b
    differing = differs.sum(axis=1)
    year_eq = ~differs[:, :4].any(axis=1)
    month_eq = ~differs[:, 4:6].any(axis=1)
    day_eq = ~differs[:, 6:].any(axis=1)
    day_month_swap = (
        year_eq & (a[:, 4:6] == b[:, 6:]).all(axis=1) & (a[:, 6:] == b[:, 4:6]).all(axis=1)
    )
    # Two neighbouring digits exchanged (1980 -> 1908) is a typing slip, not another person.
    adjacent_swap = np.zeros(len(a), dtype=bool)
    two_off = np.flatnonzero(differing == 2)
    if len(two_off):
        first = differs[two_off].argmax(axis=1)
        after = np.minimum(first + 1, 7)
        adjacent_swap[two_off] = (
            differs[two_off, after]
            & (a[two_off, first] == b[two_off, after])
            & (a[two_off, after] == b[two_off, first])
        )
    sub = np.zeros(len(a), dtype=np.int8)
    sub[(year_eq.astype(np.int8) + month_eq + day_eq) >= 2] = 1
    sub[day_month_swap | (differing == 1) | adjacent_swap] = 2
    sub[differing == 0] = 3
    levels[present] = sub
    similarity[present] = 1.0 - differing / 8.0
    return levels, similarity


def _compare_exact(
    left: np.ndarray, right: np.ndarray, similar: np.ndarray | None = None
) -> np.ndarray:
    top = 1 if similar is None else 2
    levels = np.zeros(len(left), dtype=np.int8)
    if similar is not None:
        levels[similar] = 1
    levels[left == right] = top
    levels[~_present(left, right)] = MISSING
    return levels


def _compare_emails(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # One slip of the keyboard; a shared local part alone ("jsmith@") is too common to count.
    one_typo = _similarity(OSA.distance, left, right) <= 1
    similarity = _similarity(OSA.normalized_similarity, left, right)
    return _compare_exact(left, right, one_typo), similarity


def _compare_phones(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    distance = _similarity(OSA.distance, left, right)
    one_off = distance <= 1
    similarity = _similarity(OSA.normalized_similarity, left, right)
    return _compare_exact(left, right, one_off), similarity


def _compare_addresses(
    left: RecordTable, right: RecordTable, li: np.ndarray, ri: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    ls, rs = left.column("street")[li], right.column("street")[ri]
    ln, rn = left.column("house_number")[li], right.column("house_number")[ri]
    lp, rp = left.column("postcode")[li], right.column("postcode")[ri]
    ld, rd = left.column("postcode_district")[li], right.column("postcode_district")[ri]
    lc, rc = left.column("city")[li], right.column("city")[ri]
    street_sim = _similarity(fuzz.token_sort_ratio, ls, rs) / 100.0
    street_sim[~_present(ls, rs)] = 0.0
    city_sim = _similarity(JaroWinkler.normalized_similarity, lc, rc)
    street_same = street_sim >= _STREET_SAME
    number_same = _present(ln, rn) & (ln == rn)
    postcode_same = _present(lp, rp) & (lp == rp)
    district_same = _present(ld, rd) & (ld == rd)
    city_same = _present(lc, rc) & (city_sim >= _CITY_SAME)

    levels = np.zeros(len(li), dtype=np.int8)
    levels[city_same | district_same] = 1
    levels[postcode_same | (district_same & street_same) | (street_same & city_same)] = 2
    levels[(number_same & (street_same | postcode_same)) | (postcode_same & street_same)] = 3
    levels[number_same & street_same & (postcode_same | city_same)] = 4
    left_has = (ls != "") | (lp != "") | (lc != "")
    right_has = (rs != "") | (rp != "") | (rc != "")
    levels[~(left_has & right_has)] = MISSING
    similarity = np.where(_present(ls, rs), street_sim, np.nan).astype(np.float32)
    return levels, similarity


def compare_pairs(
    left: RecordTable, right: RecordTable, left_index: np.ndarray, right_index: np.ndarray
) -> PairComparison:
    """Compare record `left_index[k]` of `left` with `right_index[k]` of `right`, for every k."""
    li = np.asarray(left_index, dtype=np.int64)
    ri = np.asarray(right_index, dtype=np.int64)
    n = len(li)
    levels = np.empty((n, len(FIELD_SPECS)), dtype=np.int8)
    similarity = np.empty((n, len(FIELD_SPECS)), dtype=np.float32)

    given, given_sim, family, family_sim, swapped = _compare_names(left, right, li, ri)
    levels[:, FIELD_INDEX["given_name"]], similarity[:, FIELD_INDEX["given_name"]] = (
        given,
        given_sim,
    )
    levels[:, FIELD_INDEX["family_name"]], similarity[:, FIELD_INDEX["family_name"]] = (
        family,
        family_sim,
    )
    column = FIELD_INDEX["birth_date"]
    levels[:, column], similarity[:, column] = _compare_dates(left, right, li, ri)
    column = FIELD_INDEX["email"]
    levels[:, column], similarity[:, column] = _compare_emails(
        left.column("email")[li], right.column("email")[ri]
    )
    column = FIELD_INDEX["phone"]
    levels[:, column], similarity[:, column] = _compare_phones(
        left.column("phone")[li], right.column("phone")[ri]
    )
    column = FIELD_INDEX["address"]
    levels[:, column], similarity[:, column] = _compare_addresses(left, right, li, ri)
    for name in ("national_id", "loyalty_id"):
        lv, rv = left.column(name)[li], right.column(name)[ri]
        levels[:, FIELD_INDEX[name]] = _compare_exact(lv, rv)
        similarity[:, FIELD_INDEX[name]] = (lv == rv).astype(np.float32)
    similarity[levels == MISSING] = np.nan
    return PairComparison(levels=levels, similarity=similarity, swapped_names=swapped)
