"""Normalizers on hand-written cases: names, addresses, postcodes, birth dates, whole records."""

from __future__ import annotations

from datetime import date

import pytest

from app.identity.addresses import normalize_postcode, postcode_district, split_street
from app.identity.dates import parse_birth_date
from app.identity.names import given_name_key, normalize_name, split_full_name
from app.identity.normalized import normalize_record
from app.identity.record import PersonRecord
from app.identity.text import fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  Zoë O'Brien-Müller ", "zoe obrien muller"),
        ("ŁUKASZ Øster", "lukasz oster"),
        ("Strauß", "strauss"),
        ("José  María", "jose maria"),
    ],
)
def test_fold_strips_accents_case_and_punctuation(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("Bill", "william"),
        ("bob", "robert"),
        ("Liz", "elizabeth"),
        ("JIM", "james"),
        ("Kate", "katherine"),
        ("Peggy", "margaret"),
        ("Bill J.", "william"),
        ("Oscar", "oscar"),
    ],
)
def test_nicknames_map_to_the_formal_given_name(given: str, key: str) -> None:
    assert given_name_key(normalize_name(given)) == key


def test_titles_and_suffixes_are_dropped() -> None:
    assert normalize_name("Dr. John Smith Jr.") == "john smith"


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("John Smith", "john", "smith"),
        ("Smith, John", "john", "smith"),
        ("Mrs Mary Ann Smith-Jones", "mary ann", "smith jones"),
        ("Ludwig van Beethoven", "ludwig", "van beethoven"),
        ("María José de la Cruz", "maria jose", "de la cruz"),
        ("Madonna", "", "madonna"),
        ("", "", ""),
    ],
)
def test_split_full_name(full: str, given: str, family: str) -> None:
    assert split_full_name(full) == (given, family)


@pytest.mark.parametrize(
    ("raw", "number", "street"),
    [
        ("12a High St.", "12A", "high street"),
        ("12 High Street", "12", "high street"),
        ("221B Baker St", "221B", "baker street"),
        ("St John's Rd", "", "saint johns road"),
        ("5th Ave", "", "5th avenue"),
        ("Hauptstr. 5", "5", "hauptstrasse"),
        ("Hauptstraße 5", "5", "hauptstrasse"),
        ("1, bd Haussmann", "1", "boulevard haussmann"),
        ("14-16 Elm Cres", "14-16", "elm crescent"),
        ("12 b Rue de la Paix", "12B", "rue de la paix"),
    ],
)
def test_split_street_expands_abbreviations_and_finds_house_numbers(
    raw: str, number: str, street: str
) -> None:
    assert split_street(raw) == (number, street)


@pytest.mark.parametrize(
    ("raw", "key"),
    [("sw1a 1aa", "SW1A1AA"), (" SW1A-1AA ", "SW1A1AA"), ("90210-1234", "90210"), ("", "")],
)
def test_postcodes_are_upper_case_without_spacing(raw: str, key: str) -> None:
    assert normalize_postcode(raw) == key


def test_postcode_district_is_the_uk_outward_code_or_a_prefix() -> None:
    assert postcode_district("SW1A1AA") == "SW1A"
    assert postcode_district("75008") == "750"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1980-03-04", date(1980, 3, 4)),
        ("19800304", date(1980, 3, 4)),
        ("1980/3/4", date(1980, 3, 4)),
        ("04/03/1980", date(1980, 3, 4)),  # ambiguous: day first
        ("13/04/1980", date(1980, 4, 13)),
        ("04/13/1980", date(1980, 4, 13)),  # unambiguous month first
        ("4.3.80", date(1980, 3, 4)),
        ("3 March 1980", date(1980, 3, 3)),
        ("March 3rd, 1980", date(1980, 3, 3)),
        ("3 mars 1980", date(1980, 3, 3)),
        ("12. März 1975", date(1975, 3, 12)),
        ("3rd of March 1980", date(1980, 3, 3)),
    ],
)
def test_birth_dates_in_several_formats(raw: str, expected: date) -> None:
    assert parse_birth_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["March 1980", "31/02/1980", "2090-01-01", "1850-01-01", "soon", ""]
)
def test_partial_impossible_or_implausible_birth_dates_are_missing(raw: str) -> None:
    assert parse_birth_date(raw) is None


def test_ambiguous_dates_read_month_first_when_asked() -> None:
    assert parse_birth_date("04/03/1980", day_first=False) == date(1980, 4, 3)


def test_normalize_record_splits_full_name_and_reads_phones_in_the_record_country() -> None:
    record = PersonRecord(
        "1",
        full_name="Dr. Bill Smith",
        email=" Bill.Smith@Example.ORG ",
        phone="(415) 555-2671",
        street="12a High St.",
        postcode="94 103",
        country="US",
        birth_date="04/03/1980",
        national_id="ab 12 34 56 c",
    )

    normalized = normalize_record(record, default_region="GB")

    assert (normalized.given_name, normalized.given_key, normalized.family_name) == (
        "bill",
        "william",
        "smith",
    )
    assert normalized.email == "bill.smith@example.org"
    assert normalized.phone == "+14155552671"
    assert (normalized.house_number, normalized.street) == ("12A", "high street")
    assert normalized.birth_date == "1980-04-03"  # month first in the US
    assert normalized.national_id == "AB123456C"
    assert normalized.family_phonetic == "SM0"


def test_invalid_email_and_phone_become_missing() -> None:
    normalized = normalize_record(PersonRecord("1", email="not-an-email", phone="12"))
    assert (normalized.email, normalized.phone) == ("", "")
