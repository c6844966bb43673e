"""Matching whole record sets: deduplicate one set, or link two, with the model fitted on them."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from app.identity.blocking import DEFAULT_MAX_BLOCK_SIZE, blocking_keys, candidate_pairs
from app.identity.clustering import cluster_pairs
from app.identity.comparison import FIELD_SPECS, compare_pairs
from app.identity.decision import Decision
from app.identity.engine import MatchEngine
from app.identity.evidence import guarded_scores
from app.identity.fellegi_sunter import FitResult, fit_model
from app.identity.normalized import NormalizedRecord, normalize_record
from app.identity.record import PersonRecord
from app.identity.table import RecordTable

ProgressCallback = Callable[[str, int, int], None]
"""Called as `progress(stage, done, total)` while a long step runs."""

_CHUNK_RECORDS = 5_000
_CHUNK_PAIRS = 200_000
_PARALLEL_MIN_RECORDS = 20_000
_RANDOM_PAIRS = 200_000


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A pair at or above the review threshold, by record id."""

    left_id: str
    right_id: str
    score: float
    decision: Decision


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a dedupe or link run found, and what it cost."""

    pairs: tuple[ScoredPair, ...]  # at or above the review threshold, strongest first
    records: int
    compared: int  # candidate pairs scored
    clusters: tuple[frozenset[str], ...]  # groups of two or more records joined by matches
    fit: FitResult
    skipped_blocks: int
    seconds: float

    def count(self, decision: Decision) -> int:
        """How many of `pairs` got `decision`."""
        return sum(1 for pair in self.pairs if pair.decision is decision)


def _normalize_chunk(chunk: Sequence[PersonRecord], default_region: str) -> list[NormalizedRecord]:
    return [normalize_record(r, default_region=default_region) for r in chunk]


def _normalize_all(
    engine: MatchEngine, records: Sequence[PersonRecord], progress: ProgressCallback | None
) -> list[NormalizedRecord]:
    chunks = [records[i : i + _CHUNK_RECORDS] for i in range(0, len(records), _CHUNK_RECORDS)]
    regions = [engine.default_region] * len(chunks)
    normalized: list[NormalizedRecord] = []
    workers = min(os.cpu_count() or 1, len(chunks))
    # Email and phone validation dominate the run time and are pure Python, so large sets are
    # normalized in worker processes; small ones are not worth the start-up.
    if len(records) >= _PARALLEL_MIN_RECORDS and workers > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part in pool.map(_normalize_chunk, chunks, regions):
                normalized.extend(part)
                if progress:
                    progress("normalizing", len(normalized), len(records))
        return normalized
    for chunk, region in zip(chunks, regions, strict=True):
        normalized.extend(_normalize_chunk(chunk, region))
        if progress:
            progress("normalizing", len(normalized), len(records))
    return normalized


def _random_pairs(
    n: int, left_size: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    size = min(_RANDOM_PAIRS, _pair_count(n, left_size))
    if left_size is None:
        left, right = rng.integers(0, n, size), rng.integers(0, n, size)
        keep = left != right
        return left[keep], right[keep]
    return rng.integers(0, left_size, size), rng.integers(left_size, n, size)


def _pair_count(n: int, left_size: int | None) -> int:
    if left_size is None:
        return n * (n - 1) // 2
    return left_size * (n - left_size)


def _compare_in_chunks(
    table: RecordTable,
    left: np.ndarray,
    right: np.ndarray,
    progress: ProgressCallback | None,
) -> np.ndarray:
    levels = np.empty((len(left), len(FIELD_SPECS)), dtype=np.int8)
    for start in range(0, len(left), _CHUNK_PAIRS):
        stop = start + _CHUNK_PAIRS
        levels[start:stop] = compare_pairs(table, table, left[start:stop], right[start:stop]).levels
        if progress:
            progress("comparing", min(stop, len(left)), len(left))
    return levels


def _run(
    records: Sequence[PersonRecord],
    *,
    left_size: int | None,
    engine: MatchEngine,
    fit: bool,
    max_block_size: int,
    progress: ProgressCallback | None,
) -> BatchResult:
    started = time.perf_counter()
    thresholds = engine.thresholds
    normalized = _normalize_all(engine, records, progress)
    table = RecordTable(normalized)
    candidates = candidate_pairs(
        [blocking_keys(r) for r in normalized], max_block_size=max_block_size, left_size=left_size
    )
    levels = _compare_in_chunks(table, candidates.left, candidates.right, progress)

    if fit:
        random_left, random_right = _random_pairs(
            len(table), left_size, np.random.default_rng(20240601)
        )
        random_levels = compare_pairs(table, table, random_left, random_right).levels
        fitted = fit_model(
            levels,
            random_levels,
            total_pairs=_pair_count(len(table), left_size),
            start=engine.model,
        )
    else:
        fitted = FitResult(
            model=engine.model,
            candidate_match_share=float("nan"),
            iterations=0,
            converged=True,
            log_likelihood=0.0,
        )
    scores = guarded_scores(fitted.model.probability(levels), levels, thresholds)

    kept = np.flatnonzero(scores >= thresholds.review)
    kept = kept[np.argsort(-scores[kept], kind="stable")]
    left, right, kept_scores = candidates.left[kept], candidates.right[kept], scores[kept]
    is_match = kept_scores >= thresholds.auto_link
    clusters = cluster_pairs(
        left[is_match],
        right[is_match],
        kept_scores[is_match],
        max_cluster_size=thresholds.max_cluster_size,
    )
    # Matches the cluster-size cap refused go to review, with the score capped like other guards.
    refused = np.flatnonzero(is_match)[~clusters.accepted]
    kept_scores[refused] = thresholds.review_ceiling
    order = np.argsort(-kept_scores, kind="stable")
    left, right, kept_scores = left[order], right[order], kept_scores[order]

    ids = [r.record_id for r in normalized]
    pairs = tuple(
        ScoredPair(
            left_id=ids[a],
            right_id=ids[b],
            score=float(s),
            decision=thresholds.decide(float(s)),
        )
        for a, b, s in zip(left.tolist(), right.tolist(), kept_scores.tolist(), strict=True)
    )
    return BatchResult(
        pairs=pairs,
        records=len(records),
        compared=len(candidates),
        clusters=tuple(frozenset(ids[i] for i in group) for group in clusters.groups),
        fit=fitted,
        skipped_blocks=candidates.skipped_blocks,
        seconds=time.perf_counter() - started,
    )


def deduplicate(
    records: Sequence[PersonRecord],
    *,
    engine: MatchEngine | None = None,
    fit: bool = True,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    progress: ProgressCallback | None = None,
) -> BatchResult:
    """Find the pairs of records in one set that are the same person.

    With `fit`, m/u values are estimated from this set by EM, starting from `engine.model`;
    the engine's thresholds decide. Pairs are by `record_id`, left before right in input order.
    """
    return _run(
        records,
        left_size=None,
        engine=engine or MatchEngine(),
        fit=fit,
        max_block_size=max_block_size,
        progress=progress,
    )


def link_sets(
    left: Sequence[PersonRecord],
    right: Sequence[PersonRecord],
    *,
    engine: MatchEngine | None = None,
    fit: bool = True,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    progress: ProgressCallback | None = None,
) -> BatchResult:
    """Find the pairs (one record of `left`, one of `right`) that are the same person."""
    return _run(
        [*left, *right],
        left_size=len(left),
        engine=engine or MatchEngine(),
        fit=fit,
        max_block_size=max_block_size,
        progress=progress,
    )
