"""Small builders for metric inputs: dates in UTC, terse constructors."""

from __future__ import annotations

from datetime import UTC, datetime

from app.metrics import SurveyAnswer, SurveyKind

AS_OF = datetime(2025, 6, 30, tzinfo=UTC)


def day(year: int, month: int, dom: int) -> datetime:
    """Midnight UTC of a calendar day."""
    return datetime(year, month, dom, tzinfo=UTC)


def nps(score: int, at: datetime = AS_OF) -> SurveyAnswer:
    """An NPS answer."""
    return SurveyAnswer(SurveyKind.NPS, score, at)


def csat(score: int, at: datetime = AS_OF) -> SurveyAnswer:
    """A CSAT answer."""
    return SurveyAnswer(SurveyKind.CSAT, score, at)


def ces(score: int, at: datetime = AS_OF) -> SurveyAnswer:
    """A CES answer."""
    return SurveyAnswer(SurveyKind.CES, score, at)
