from __future__ import annotations

from datetime import timedelta

import pytest

from app.metrics import EmailEvent, EmailEventKind, Interaction
from app.metrics.engagement import HALF_SATURATION_POINTS, engagement
from tests.metrics.factories import AS_OF


def test_no_activity_scores_zero() -> None:
    result = engagement([], [], as_of=AS_OF)
    assert (result.score, result.points, result.events) == (0.0, 0.0, 0)


def test_half_saturation_points_score_fifty() -> None:
    clicks = [EmailEvent(EmailEventKind.CLICK, AS_OF)] * int(HALF_SATURATION_POINTS / 2)
    assert engagement([], clicks, as_of=AS_OF).score == pytest.approx(50.0)


def test_events_halve_every_thirty_days() -> None:
    fresh = engagement([Interaction(AS_OF)], [], as_of=AS_OF)
    old = engagement([Interaction(AS_OF - timedelta(days=30))], [], as_of=AS_OF)
    assert (fresh.points, old.points) == pytest.approx((3.0, 1.5))


def test_sent_and_future_events_do_not_count() -> None:
    result = engagement(
        [Interaction(AS_OF + timedelta(days=1))],
        [EmailEvent(EmailEventKind.SENT, AS_OF), EmailEvent(EmailEventKind.OPEN, AS_OF)],
        as_of=AS_OF,
    )
    assert (result.points, result.events) == (1.0, 1)


def test_score_stays_below_100() -> None:
    busy = [Interaction(AS_OF)] * 10_000
    assert 99.0 < engagement(busy, [], as_of=AS_OF).score < 100.0
