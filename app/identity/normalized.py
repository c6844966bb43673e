"""A person record normalized for matching: canonical values and phonetic keys, "" when missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import phonenumbers

from app.identity.addresses import (
    normalize_house_number,
    normalize_postcode,
    postcode_district,
    split_street,
)
from app.identity.contact import try_normalize_email, try_normalize_phone
from app.identity.dates import parse_birth_date
from app.identity.names import given_name_key, normalize_name, split_full_name
from app.identity.record import PersonRecord
from app.identity.text import fold

# Duplicates repeat the same raw email or phone, and validating one costs ~50 microseconds.
_email = lru_cache(maxsize=131_072)(try_normalize_email)
_phone = lru_cache(maxsize=131_072)(try_normalize_phone)

# Regions that write dates month-first, so an ambiguous "03/04/1980" means March 4th there.
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW"})


@dataclass(frozen=True, slots=True)
class NormalizedRecord:
    """The comparable form of a `PersonRecord`; every missing value is the empty string."""

    record_id: str
    source: str
    given_name: str  # folded, with middle names: "mary ann"
    given_key: str  # first given name in formal form: "bill" -> "william"
    family_name: str  # folded: "van der berg"
    family_phonetic: str  # metaphone of the family name without spaces
    email: str
    phone: str  # E.164
    house_number: str
    street: str  # abbreviations expanded, without the house number
    city: str
    postcode: str  # upper case, no spaces
    postcode_district: str
    country: str  # ISO 3166 alpha-2 when recognised, else folded text
    birth_date: str  # ISO yyyy-mm-dd
    national_id: str
    loyalty_id: str


def _region(country: str | None, default_region: str) -> str:
    code = (country or "").strip().upper()
    return code if code in phonenumbers.SUPPORTED_REGIONS else default_region.upper()


def _identifier(raw: str | None) -> str:
    # Ids are typed with and without spaces, dashes and dots ("AB 12 34 56 C").
    return re.sub(r"[^0-9A-Za-z]", "", raw).upper() if raw else ""


def normalize_record(record: PersonRecord, *, default_region: str = "GB") -> NormalizedRecord:
    """Normalize every field of `record` for matching; invalid values become "" (missing).

    Phones without a country prefix are read in the record's `country` (an alpha-2 code) or else
    in `default_region`; so are ambiguous numeric birth dates (month-first only in the US).
    """
    given = normalize_name(record.given_name)
    family = normalize_name(record.family_name)
    if not given and not family and record.full_name:
        given, family = split_full_name(record.full_name)
    elif record.full_name and (not given or not family):
        split_given, split_family = split_full_name(record.full_name)
        given, family = given or split_given, family or split_family
    given_key = given_name_key(given)
    region = _region(record.country, default_region)
    number_in_street, street = split_street(record.street) if record.street else ("", "")
    postcode = normalize_postcode(record.postcode)
    birth = parse_birth_date(record.birth_date, day_first=region not in _MONTH_FIRST_REGIONS)
    country = (record.country or "").strip()
    return NormalizedRecord(
        record_id=record.record_id,
        source=record.source,
        given_name=given,
        given_key=given_key,
        family_name=family,
        family_phonetic=jellyfish.metaphone(family.replace(" ", "")).upper() if family else "",
        email=_email(record.email) or "",
        phone=_phone(record.phone, region) or "",
        house_number=normalize_house_number(record.street_number) or number_in_street,
        street=street,
        city=fold(record.city) if record.city else "",
        postcode=postcode,
        postcode_district=postcode_district(postcode) if postcode else "",
        country=country.upper() if len(country) == 2 else fold(country),
        birth_date=birth.isoformat() if birth else "",
        national_id=_identifier(record.national_id),
        loyalty_id=_identifier(record.loyalty_id),
    )
