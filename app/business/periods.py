"""Calendar periods (UTC months and quarters) and the day arithmetic the reports share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import InvalidInputError

# A report spans at most this many days (a hundred years of MONTH groups is not a report).
MAX_SPAN_DAYS = 366 * 20


@dataclass(frozen=True, slots=True)
class Period:
    """A named span of days, both ends included."""

    key: str
    start: date
    end: date

    def months(self) -> list[str]:
        """The YYYY-MM months the period touches."""
        return month_keys(self.start, self.end)


def check_range(since: date, until: date) -> None:
    """Refuse a range that ends before it starts or is unreasonably long."""
    if until < since:
        raise InvalidInputError("`to` is before `from`", argument="to")
    if (until - since).days > MAX_SPAN_DAYS:
        raise InvalidInputError("the range spans more than 20 years", argument="to")


def overlap_days(start: date, end: date, since: date, until: date) -> int:
    """Days of [start, end] inside [since, until]."""
    return max(0, (min(end, until) - max(start, since)).days + 1)


def _month_start(key: str) -> date:
    return date(int(key[:4]), int(key[5:7]), 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_keys(since: date, until: date) -> list[str]:
    """Every YYYY-MM from the month of `since` to that of `until`."""
    keys, day = [], since.replace(day=1)
    while day <= until:
        keys.append(f"{day.year:04d}-{day.month:02d}")
        day = _next_month(day)
    return keys


def quarter_of(month: str) -> str:
    """The YYYY-QN of a YYYY-MM month."""
    return f"{month[:4]}-Q{(int(month[5:7]) + 2) // 3}"


def calendar_periods(since: date, until: date, grain: str) -> list[Period]:
    """The months or quarters touching [since, until], each clipped to it."""
    periods: dict[str, Period] = {}
    for month in month_keys(since, until):
        key = month if grain == "month" else quarter_of(month)
        first = _month_start(month)
        last = _next_month(first) - timedelta(days=1)
        held = periods.get(key)
        periods[key] = Period(key, held.start if held else max(first, since), min(last, until))
    return list(periods.values())


def months_between(earlier: str, later: str) -> int:
    """Whole months from one YYYY-MM to another."""
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])
