"""Birth-date parsing from the formats sources actually send."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateutil import parser as dateutil_parser

from app.identity.text import fold


class _MultilingualMonths(dateutil_parser.parserinfo):
    """dateutil's English month names plus French, German and Spanish ones (accents folded)."""

    MONTHS = [
        (*english, *others)
        for english, others in zip(
            dateutil_parser.parserinfo.MONTHS,
            [
                ("janvier", "januar", "jan", "enero", "ene"),
                ("fevrier", "februar", "feb", "febrero"),
                ("mars", "marz", "marzo"),
                ("avril", "abril", "abr"),
                ("mai", "mayo"),
                ("juin", "juni", "junio"),
                ("juillet", "juli", "julio"),
                ("aout", "agosto", "ago"),
                ("septembre", "septiembre"),
                ("octobre", "oktober", "okt", "octubre"),
                ("novembre", "noviembre"),
                ("decembre", "dezember", "dez", "diciembre", "dic"),
            ],
            strict=True,
        )
    ]


_PARSER_INFO = _MultilingualMonths()
_MONTH_NUMBERS = {
    name.lower(): month for month, names in enumerate(_PARSER_INFO.MONTHS, 1) for name in names
}
_ISO = re.compile(r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$")
# The two common written forms, on folded text: "3 march 1980", "march 3rd 1980".
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+) (\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+) (\d{1,2})(?:st|nd|rd|th)? (\d{4})$")
# Two different fill-in values reveal a component the text did not give ("March 1980").
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))


def _plausible(day: date, today: date) -> date | None:
    return day if date(1900, 1, 1) <= day <= today else None


def _full_year(year: int, today: date) -> int:
    if year >= 100:
        return year
    # A two-digit birth year is in the last century unless that would put it in the future.
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _written_date(folded: str) -> date | None:
    day_first = _DAY_MONTH_YEAR.match(folded)
    if day_first and day_first.group(2) in _MONTH_NUMBERS:
        day, month, year = day_first.groups()
    else:
        month_first = _MONTH_DAY_YEAR.match(folded)
        if not (month_first and month_first.group(1) in _MONTH_NUMBERS):
            return None
        month, day, year = month_first.groups()
    return date(int(year), _MONTH_NUMBERS[month], int(day))


@lru_cache(maxsize=131_072)
def parse_birth_date(raw: str | None, *, day_first: bool = True) -> date | None:
    """Parse a birth date, or return None when it is absent, partial, impossible or in the future.

    Accepts ISO (1980-03-03, 19800303), numeric dd/mm/yyyy or mm/dd/yyyy (read month-first only
    when the day is > 12 or `day_first` is False), two-digit years, and month names in English,
    French, German or Spanish ("3 March 1980", "March 3rd, 1980", "3 mars 1980").
    """
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    today = date.today()
    try:
        iso = _ISO.match(text)
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return _plausible(date(year, month, day), today)
        numeric = _NUMERIC.match(text)
        if numeric:
            first, second, year_part = (int(g) for g in numeric.groups())
            year = _full_year(year_part, today)
            day_month_order = first > 12 or (day_first and second <= 12)
            day, month = (first, second) if day_month_order else (second, first)
            return _plausible(date(year, month, day), today)
        folded = fold(text)
        written = _written_date(folded)
        if written:
            return _plausible(written, today)
        # Anything else goes to dateutil (slower, so after the common forms).
        parsed = {
            dateutil_parser.parse(folded, parserinfo=_PARSER_INFO, default=d, dayfirst=day_first)
            for d in _DEFAULTS
        }
    except (ValueError, OverflowError):
        return None
    if len(parsed) != 1:
        return None
    return _plausible(parsed.pop().date(), today)
