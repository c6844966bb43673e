"""The engine for one record at a time: evidence, guards, linking and search ranking."""

from __future__ import annotations

import pytest

from app.identity.decision import Decision, Thresholds
from app.identity.engine import MatchEngine
from app.identity.evidence import (
    GUARD_BIRTH_DATE,
    GUARD_GIVEN_NAME,
    GUARD_NATIONAL_ID,
    GUARD_SEVERAL_MATCHES,
)
from app.identity.record import PersonRecord

JANE = PersonRecord(
    "crm-1",
    source="crm",
    given_name="Jane",
    family_name="Doe",
    email="jane.doe@example.org",
    phone="0113 496 0123",
    street="12 Park Lane",
    city="Leeds",
    postcode="LS1 4AP",
    birth_date="1985-07-21",
    national_id="QQ123456C",
)


def _copy(record_id: str, **changes: str | None) -> PersonRecord:
    values = JANE.field_values() | changes
    return PersonRecord.from_fields(record_id, values, source="shop")


def test_a_duplicate_with_other_formats_matches_and_explains_itself() -> None:
    engine = MatchEngine()
    duplicate = _copy(
        "shop-9",
        given_name=None,
        family_name=None,
        full_name="DOE, Jane",
        phone="+44 113 496 0123",
        street="12 Park Ln",
        postcode="ls14ap",
        birth_date="21/07/1985",
        national_id="QQ 12 34 56 C",
    )

    score = engine.score(JANE, duplicate)

    assert score.decision is Decision.MATCH
    assert (score.left_id, score.right_id) == ("crm-1", "shop-9")
    evidence = {e.field: e for e in score.evidence}
    assert set(evidence) >= {"given_name", "family_name", "birth_date", "email", "phone"}
    assert evidence["email"].level == "same" and evidence["email"].weight > 0
    assert evidence["loyalty_id"].level == "missing" and evidence["loyalty_id"].weight == 0
    assert evidence["given_name"].similarity == 1.0
    assert score.to_dict()["evidence"][0]["field"] == "given_name"


def test_someone_else_is_distinct() -> None:
    other = PersonRecord(
        "x", given_name="Oliver", family_name="Grant", email="og@example.com", city="York"
    )
    assert MatchEngine().score(JANE, other).decision is Decision.DISTINCT


@pytest.mark.parametrize(
    ("changes", "guard"),
    [
        ({"national_id": "AB999999D"}, GUARD_NATIONAL_ID),
        ({"birth_date": "1961-02-03"}, GUARD_BIRTH_DATE),
        ({"given_name": "Margaret"}, GUARD_GIVEN_NAME),
    ],
)
def test_guards_send_otherwise_certain_pairs_to_review(changes: dict[str, str], guard: str) -> None:
    engine = MatchEngine()
    score = engine.score(JANE, _copy("shop-2", **changes))

    assert score.probability >= engine.thresholds.auto_link  # the other fields all agree
    assert guard in score.guards
    assert score.decision is Decision.REVIEW
    assert score.score < engine.thresholds.auto_link


def test_swapped_names_still_match() -> None:
    score = MatchEngine().score(JANE, _copy("shop-3", given_name="Doe", family_name="Jane"))
    assert score.swapped_names
    assert score.decision is Decision.MATCH


def test_thresholds_are_parameters() -> None:
    strict = MatchEngine(thresholds=Thresholds(auto_link=0.999999, review=0.99))
    lenient = MatchEngine(thresholds=Thresholds(auto_link=0.5, review=0.1))
    partial = PersonRecord("p", given_name="Jane", family_name="Doe", city="Leeds")
    assert strict.score(JANE, partial).decision is Decision.DISTINCT
    assert lenient.score(JANE, partial).decision is not Decision.DISTINCT
    with pytest.raises(ValueError):
        Thresholds(auto_link=0.2, review=0.5)


def test_link_joins_the_matching_record() -> None:
    stranger = PersonRecord("c-2", given_name="Oliver", family_name="Grant", city="York")
    outcome = MatchEngine().link(_copy("new", email="JANE.DOE@example.org"), [stranger, JANE])
    assert outcome.decision is Decision.MATCH
    assert outcome.best is not None and outcome.best.right_id == "crm-1"
    assert [s.right_id for s in outcome.scores] == ["crm-1", "c-2"]


def test_link_with_two_matching_customers_goes_to_review() -> None:
    twin_record = _copy("crm-7")
    outcome = MatchEngine().link(_copy("new"), [JANE, twin_record])
    assert outcome.decision is Decision.REVIEW
    assert outcome.best is not None and GUARD_SEVERAL_MATCHES in outcome.best.guards


def test_link_without_candidates_is_distinct() -> None:
    outcome = MatchEngine().link(JANE, [])
    assert (outcome.decision, outcome.best, outcome.scores) == (Decision.DISTINCT, None, ())


def test_rank_orders_a_partial_search_query() -> None:
    query = PersonRecord("query", full_name="jane doe", city="Leeds")
    people = [
        PersonRecord("a", given_name="John", family_name="Doe", city="Leeds"),
        JANE,
        PersonRecord("b", given_name="Jane", family_name="Doe", city="Bath"),
    ]
    ranked = MatchEngine().rank(query, people, limit=2)
    assert [s.right_id for s in ranked] == ["crm-1", "b"]
