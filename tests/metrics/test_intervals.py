from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from app.metrics.intervals import (
    difference_interval,
    mean_interval,
    t_quantile_975,
    wilson_interval,
)


@pytest.mark.parametrize("df", [1, 2, 5, 30, 31, 40, 100, 1_000, 100_000])
def test_t_quantile_matches_scipy(df: int) -> None:
    assert t_quantile_975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-5)


def test_t_quantile_needs_one_degree_of_freedom() -> None:
    with pytest.raises(ValueError):
        t_quantile_975(0)


def test_wilson_matches_the_textbook_example() -> None:
    # 8 of 10: Wilson 95% is 0.4902-0.9433 (Newcombe 1998, Table I style check).
    low, high = wilson_interval(8, 10)
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_difference_interval_is_clamped() -> None:
    assert difference_interval(1.0, 0.0, 1) == (1.0, 1.0)
    low, _ = difference_interval(0.0, 1.0, 1)
    assert low == -1.0


def test_mean_interval_matches_scipy() -> None:
    values = [3, 5, 6, 2, 7, 4]
    mean, low, high = mean_interval(values, 1, 7)
    expected = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert mean == pytest.approx(np.mean(values))
    assert (low, high) == pytest.approx((max(1, expected[0]), min(7, expected[1])))
