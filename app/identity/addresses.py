"""Address normalization: street-type abbreviations, house numbers, postcodes."""

from __future__ import annotations

import re
from functools import lru_cache

from app.identity.text import fold

# Abbreviation -> full word, for English, French, German and Spanish street vocabularies.
_STREET_WORDS: dict[str, str] = {
    "st": "street",
    "str": "strasse",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "ln": "lane",
    "dr": "drive",
    "ct": "court",
    "pl": "place",
    "blvd": "boulevard",
    "bd": "boulevard",
    "bvd": "boulevard",
    "sq": "square",
    "cres": "crescent",
    "cr": "crescent",
    "hwy": "highway",
    "pkwy": "parkway",
    "ter": "terrace",
    "terr": "terrace",
    "cl": "close",
    "gdns": "gardens",
    "gr": "grove",
    "pde": "parade",
    "mt": "mount",
    "wy": "way",
    "cir": "circle",
    "trl": "trail",
    "aly": "alley",
    "sta": "station",
    "ste": "suite",
    "apt": "apartment",
    "fl": "floor",
    "bldg": "building",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
    "r": "rue",
    "imp": "impasse",
    "chem": "chemin",
    "rte": "route",
    "c": "calle",
    "pza": "plaza",
    "pso": "paseo",
}
# "12", "12a", "12 B", "14-16", "3/5": matched on the raw text, before folding loses the dash.
_HOUSE_NUMBER = r"\d+\s?[A-Za-z]?(?:\s*[-/]\s*\d+\s?[A-Za-z]?)?"
_LEADING_NUMBER = re.compile(rf"^\s*({_HOUSE_NUMBER})(?!\w)[\s,.]*(.*)$")
_TRAILING_NUMBER = re.compile(rf"^(.*?)[\s,]+({_HOUSE_NUMBER})\s*$")


def _expand(token: str, position: int) -> str:
    # "St" opening a street name is "Saint" ("St John's Road"); elsewhere it is "Street".
    if token == "st" and position == 0:
        return "saint"
    # German compounds glue the street type on: "Hauptstr" -> "hauptstrasse".
    if token.endswith("str") and len(token) > 4:
        return token + "asse"
    return _STREET_WORDS.get(token, token)


@lru_cache(maxsize=262_144)
def split_street(raw: str) -> tuple[str, str]:
    """Split a street line into (house number, street), both normalized.

    Finds the number in front ("12a High St") or behind ("Hauptstr. 5"); "" when there is none.
    Abbreviations are expanded ("rd" -> "road") so spellings of one street compare equal.
    """
    text, number = raw, ""
    leading = _LEADING_NUMBER.match(raw)
    if leading:
        number, text = leading.group(1), leading.group(2)
    else:
        trailing = _TRAILING_NUMBER.match(raw)
        if trailing and trailing.group(1).strip():
            text, number = trailing.group(1), trailing.group(2)
    words = [_expand(token, i) for i, token in enumerate(fold(text).split())]
    return normalize_house_number(number), " ".join(words)


def normalize_house_number(raw: str | None) -> str:
    """Upper-cased house number without spaces ("12 a" -> "12A"); "" when absent."""
    return re.sub(r"\s+", "", raw).upper() if raw else ""


_US_ZIP_PLUS_FOUR = re.compile(r"^(\d{5})\d{4}$")


def normalize_postcode(raw: str | None) -> str:
    """Postcode as a comparable key: upper case, no spaces or dashes ("sw1a 1aa" -> "SW1A1AA").

    A US ZIP+4 keeps its five-digit ZIP, which is what most sources record.
    """
    if not raw:
        return ""
    key = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    zip_plus_four = _US_ZIP_PLUS_FOUR.match(key)
    return zip_plus_four.group(1) if zip_plus_four else key


def postcode_district(postcode: str) -> str:
    """The coarse area of a normalized postcode: the UK outward code, else the first 3 characters.

    Two postcodes in the same district are weak evidence of the same address after a typo.
    """
    if len(postcode) >= 5 and postcode[-3].isdigit() and postcode[-2:].isalpha():
        return postcode[:-3]
    return postcode[:3]
