"""Field comparators: agreement levels for nicknames, typos, swapped names, dates, contacts."""

from __future__ import annotations

import numpy as np

from app.identity.comparison import FIELD_INDEX, FIELD_SPECS, MISSING, compare_pairs
from app.identity.normalized import normalize_record
from app.identity.record import PersonRecord
from app.identity.table import RecordTable


def _levels(left: PersonRecord, right: PersonRecord) -> dict[str, str]:
    table = RecordTable([normalize_record(left), normalize_record(right)])
    comparison = compare_pairs(table, table, np.array([0]), np.array([1]))
    named = {}
    for spec in FIELD_SPECS:
        level = int(comparison.levels[0, FIELD_INDEX[spec.name]])
        named[spec.name] = "missing" if level == MISSING else spec.levels[level]
    named["swapped"] = str(bool(comparison.swapped_names[0]))
    return named


def test_nickname_is_the_same_given_name() -> None:
    levels = _levels(
        PersonRecord("a", given_name="William", family_name="Jones"),
        PersonRecord("b", given_name="Bill", family_name="JONES"),
    )
    assert (levels["given_name"], levels["family_name"]) == ("same", "same")


def test_accents_do_not_count_as_differences() -> None:
    levels = _levels(
        PersonRecord("a", given_name="Hélène", family_name="Müller"),
        PersonRecord("b", given_name="Helene", family_name="Muller"),
    )
    assert (levels["given_name"], levels["family_name"]) == ("same", "same")


def test_a_typo_is_close_and_another_name_is_different() -> None:
    typo = _levels(
        PersonRecord("a", given_name="Katherine", family_name="Thompson"),
        PersonRecord("b", given_name="Katherine", family_name="Thomspon"),
    )
    other = _levels(
        PersonRecord("a", given_name="Katherine", family_name="Thompson"),
        PersonRecord("b", given_name="Oliver", family_name="Thompson"),
    )
    assert typo["family_name"] == "close"
    assert other["given_name"] == "different"


def test_swapped_given_and_family_names_are_compared_crosswise() -> None:
    levels = _levels(
        PersonRecord("a", given_name="Anne", family_name="Walker"),
        PersonRecord("b", given_name="Walker", family_name="Anne"),
    )
    assert levels["swapped"] == "True"
    assert (levels["given_name"], levels["family_name"]) == ("same", "same")


def test_swapped_names_with_an_initial_are_still_recognised() -> None:
    levels = _levels(
        PersonRecord("a", given_name="Anne", family_name="Walker"),
        PersonRecord("b", given_name="Walker", family_name="A."),
    )
    assert levels["swapped"] == "True"
    assert (levels["given_name"], levels["family_name"]) == ("similar", "same")


def test_full_name_is_compared_like_its_parts() -> None:
    levels = _levels(
        PersonRecord("a", given_name="Robert", family_name="Smith"),
        PersonRecord("b", full_name="Smith, Bob"),
    )
    assert (levels["given_name"], levels["family_name"]) == ("same", "same")


def test_birth_date_levels() -> None:
    def level(left: str, right: str) -> str:
        return _levels(PersonRecord("a", birth_date=left), PersonRecord("b", birth_date=right))[
            "birth_date"
        ]

    assert level("1980-03-04", "04/03/1980") == "same"
    assert level("1980-03-04", "1980-04-03") == "swapped or typo"  # day and month swapped
    assert level("1980-03-04", "1908-03-04") == "swapped or typo"  # transposed digits
    assert level("1980-03-04", "1980-03-05") == "swapped or typo"
    assert level("1980-03-04", "1980-03-19") == "partly same"
    assert level("1980-03-04", "1975-11-21") == "different"
    assert level("1980-03-04", "") == "missing"


def test_contact_points_compare_in_normal_form() -> None:
    levels = _levels(
        PersonRecord("a", email="Ann.Lee@Example.com", phone="020 7946 0018"),
        PersonRecord("b", email="ann.lee@example.com", phone="+44 20 7946 0018"),
    )
    typo = _levels(
        PersonRecord("a", email="ann.lee@example.com", phone="020 7946 0018"),
        PersonRecord("b", email="ann.lea@example.com", phone="020 7946 0019"),
    )
    assert (levels["email"], levels["phone"]) == ("same", "same")
    assert (typo["email"], typo["phone"]) == ("one typo", "one digit off")


def test_address_levels_use_abbreviations_numbers_and_postcodes() -> None:
    home = PersonRecord("a", street="12 High Street", city="Leeds", postcode="LS1 4AP")
    same = PersonRecord("b", street="High St", street_number="12", city="Leeds", postcode="ls14ap")
    neighbour = PersonRecord("c", street="14 High Street", city="Leeds", postcode="LS1 4AP")
    town = PersonRecord("d", street="1 Park Lane", city="Leeds", postcode="LS9 9ZZ")
    elsewhere = PersonRecord("e", street="3 Rue Foch", city="Paris", postcode="75008")
    assert _levels(home, same)["address"] == "same"
    assert _levels(home, neighbour)["address"] == "same street"
    assert _levels(home, town)["address"] == "same town"
    assert _levels(home, elsewhere)["address"] == "different"
    assert _levels(home, PersonRecord("f"))["address"] == "missing"
