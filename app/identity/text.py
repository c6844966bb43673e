"""Folding free text to a comparable form: lower case, no accents, no punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into a base letter plus accents.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Apostrophes join ("O'Brien" = "OBrien", "John's" = "Johns") rather than split a word.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lower-case `text`, strip accents, and turn every run of punctuation or space into one space.

    "  Zoë O'Brien-Müller " -> "zoe obrien muller". Cached: the same names recur across records.
    """
    decomposed = unicodedata.normalize(
        "NFKD", _APOSTROPHES.sub("", text.translate(_SPECIAL_LETTERS))
    )
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
