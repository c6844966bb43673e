"""Survivorship rules on hand-written candidates: verified, source priority, recency."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.identity.survivorship import (
    RULE_MOST_RECENT,
    RULE_SINGLE_VALUE,
    RULE_SOURCE_PRIORITY,
    RULE_VERIFIED,
    Candidate,
    SurvivorshipRules,
    choose,
    golden_values,
)

OLD = datetime(2024, 1, 1, tzinfo=UTC)
NEW = datetime(2025, 6, 1, tzinfo=UTC)
RULES = SurvivorshipRules(priority=("gateway", "odoo"), field_priority={"birth_date": ("crm",)})


def test_a_verified_value_beats_a_newer_and_higher_priority_one() -> None:
    winner = choose(
        "family_name",
        [Candidate("Doe", "odoo", NEW), Candidate("Doe-Smith", "legacy", OLD, verified=True)],
        RULES,
    )
    assert winner is not None
    assert (winner.value, winner.system, winner.rule) == ("Doe-Smith", "legacy", RULE_VERIFIED)


def test_source_priority_beats_recency() -> None:
    winner = choose(
        "given_name", [Candidate("Bill", "hubspot", NEW), Candidate("William", "odoo", OLD)], RULES
    )
    assert winner is not None
    assert (winner.value, winner.rule) == ("William", RULE_SOURCE_PRIORITY)


def test_among_equally_ranked_systems_the_most_recent_wins() -> None:
    winner = choose(
        "given_name", [Candidate("Bill", "legacy", NEW), Candidate("Will", "webshop", OLD)], RULES
    )
    assert winner is not None
    assert (winner.value, winner.system, winner.rule) == ("Bill", "legacy", RULE_MOST_RECENT)


def test_a_field_priority_replaces_the_default_one() -> None:
    winner = choose(
        "birth_date",
        [Candidate(date(1980, 1, 2), "odoo", NEW), Candidate(date(1980, 2, 1), "crm", OLD)],
        RULES,
    )
    assert winner is not None
    assert (winner.value, winner.rule) == (date(1980, 2, 1), RULE_SOURCE_PRIORITY)


def test_agreeing_sources_and_missing_values() -> None:
    agreed = choose(
        "family_name", [Candidate("Doe", "odoo", OLD), Candidate("Doe", "x", NEW)], RULES
    )
    assert agreed is not None and agreed.rule == RULE_SINGLE_VALUE
    assert (
        choose("family_name", [Candidate(None, "odoo", OLD), Candidate("", "x", NEW)], RULES)
        is None
    )


def test_golden_values_split_full_names_and_parse_dates() -> None:
    assert golden_values({"full_name": "Smith, John", "birth_date": "03/04/1980"}) == {
        "given_name": "John",
        "family_name": "Smith",
        "birth_date": date(1980, 4, 3),
        "national_id": None,
        "loyalty_id": None,
    }
    assert golden_values(
        {"full_name": "Mary Ann Major", "country": "US", "birth_date": "03/04/1980"}
    )["birth_date"] == date(1980, 3, 4)
