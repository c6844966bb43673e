from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.metrics import RfmBreakpoints, RfmInputs, RfmSegment, rfm_breakpoints
from app.metrics.rfm import SEGMENT_CODE, RfmScores, fm_score, quantiles, rfm_segment, score_rfm

BREAKPOINTS = RfmBreakpoints(
    recency_days=(30.0, 60.0, 120.0, 240.0),
    frequency=(1.0, 1.0, 2.0, 4.0),
    monetary=(100.0, 200.0, 400.0, 800.0),
    population=1000,
)


def test_quantiles_match_numpy() -> None:
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0]
    expected = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
    assert quantiles(values) == pytest.approx(tuple(expected))


def test_single_buyer_population_has_equal_edges() -> None:
    population = rfm_breakpoints([RfmInputs(5.0, 2, 50.0)])
    assert population.frequency == (2.0, 2.0, 2.0, 2.0)
    assert score_rfm(RfmInputs(5.0, 2, 50.0), population) == RfmScores(5, 1, 1)


def test_empty_population_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one buyer"):
        rfm_breakpoints([])


@pytest.mark.parametrize(
    ("recency", "expected"), [(0, 5), (30, 5), (30.5, 4), (120, 3), (240, 2), (241, 1)]
)
def test_recency_score_is_reversed_and_edges_fall_low(recency: float, expected: int) -> None:
    assert score_rfm(RfmInputs(recency, 1, 1.0), BREAKPOINTS).recency == expected


@pytest.mark.parametrize(("frequency", "expected"), [(1, 1), (2, 3), (3, 4), (4, 4), (5, 5)])
def test_frequency_score_with_tied_edges(frequency: int, expected: int) -> None:
    assert score_rfm(RfmInputs(10, frequency, 1.0), BREAKPOINTS).frequency == expected


@pytest.mark.parametrize(("monetary", "expected"), [(0, 1), (100, 1), (150, 2), (801, 5)])
def test_monetary_score(monetary: float, expected: int) -> None:
    assert score_rfm(RfmInputs(10, 1, monetary), BREAKPOINTS).monetary == expected


def test_breakpoints_round_trip_through_json_form() -> None:
    assert RfmBreakpoints.from_dict(BREAKPOINTS.to_dict()) == BREAKPOINTS


def test_breakpoints_must_be_four_sorted_edges() -> None:
    data = BREAKPOINTS.to_dict()
    with pytest.raises(ValueError, match="four"):
        RfmBreakpoints.from_dict({**data, "monetary": [1, 2, 3]})
    with pytest.raises(ValueError, match="non-decreasing"):
        RfmBreakpoints.from_dict({**data, "monetary": [4, 3, 2, 1]})


@pytest.mark.parametrize(("f", "m", "fm"), [(1, 1, 1), (1, 2, 2), (4, 5, 5), (2, 5, 4), (5, 5, 5)])
def test_fm_rounds_half_up(f: int, m: int, fm: int) -> None:
    assert fm_score(RfmScores(3, f, m)) == fm


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, RfmSegment.CHAMPIONS),
        (4, 4, 5, RfmSegment.LOYAL),
        (3, 4, 4, RfmSegment.LOYAL),
        (5, 2, 3, RfmSegment.POTENTIAL_LOYALIST),
        (5, 1, 1, RfmSegment.NEW_CUSTOMERS),
        (4, 1, 1, RfmSegment.PROMISING),
        (3, 3, 3, RfmSegment.NEED_ATTENTION),
        (3, 1, 2, RfmSegment.ABOUT_TO_SLEEP),
        (2, 3, 4, RfmSegment.AT_RISK),
        (1, 5, 5, RfmSegment.CANNOT_LOSE_THEM),
        (2, 1, 1, RfmSegment.HIBERNATING),
        (1, 2, 1, RfmSegment.LOST),
    ],
)
def test_segment_mapping(r: int, f: int, m: int, segment: RfmSegment) -> None:
    assert rfm_segment(RfmScores(r, f, m)) is segment


def test_every_segment_is_reachable_and_has_a_stable_code() -> None:
    reached = {
        rfm_segment(RfmScores(*scores)) for scores in itertools.product(range(1, 6), repeat=3)
    }
    assert reached == set(RfmSegment)
    assert SEGMENT_CODE[RfmSegment.CHAMPIONS] == 1
    assert SEGMENT_CODE[RfmSegment.LOST] == 11
