"""Clustering matched pairs into entities, with a cap on cluster size against chain merges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import DisjointSet


@dataclass(frozen=True, slots=True)
class Clusters:
    """Which pairs were accepted into clusters and the clusters they formed."""

    accepted: np.ndarray  # bool per input pair; False where the size cap refused the merge
    groups: tuple[frozenset[int], ...]  # clusters of two or more records


def cluster_pairs(
    left: np.ndarray, right: np.ndarray, scores: np.ndarray, *, max_cluster_size: int
) -> Clusters:
    """Union the pairs, strongest first, refusing any union that would exceed `max_cluster_size`.

    A long chain of matches (A~B, B~C, ...) is how a few wrong links glue unrelated people
    together; refused pairs are meant to go to a steward instead.
    """
    accepted = np.zeros(len(left), dtype=bool)
    sets: DisjointSet[int] = DisjointSet()
    for k in np.argsort(-scores, kind="stable"):
        a, b = int(left[k]), int(right[k])
        for record in (a, b):
            if record not in sets:
                sets.add(record)
        if sets.connected(a, b):
            accepted[k] = True
            continue
        if sets.subset_size(a) + sets.subset_size(b) > max_cluster_size:
            continue
        sets.merge(a, b)
        accepted[k] = True
    groups = tuple(frozenset(s) for s in sets.subsets() if len(s) > 1)
    return Clusters(accepted=accepted, groups=groups)
