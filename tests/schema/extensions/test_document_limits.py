"""The document limits (selections, aliases, repeats) and the lowered merge-check budget, on a
tiny schema: the limits are checked on the parsed document, before validation."""

from __future__ import annotations

import pytest
import strawberry
from graphql import SelectionSetNode

from schema.error_codes import classify
from schema.extensions.document_limits import (
    MAX_REPEATS,
    _Walk,
    document_limiter,
    limit_merge_check,
)


@strawberry.type
class Email:
    address: str


@strawberry.type
class Person:
    name: str

    @strawberry.field
    def emails(self) -> list[Email]:
        return [Email(address="ann@example.com")]


@strawberry.type
class Query:
    @strawberry.field
    def people(self) -> list[Person]:
        return [Person(name="Ann")]

    @strawberry.field
    def person(self, id: str) -> Person:  # noqa: A002 (the argument's GraphQL name)
        return Person(name=id)


def _schema(*, max_selections: int = 300, max_aliases: int = 15) -> strawberry.Schema:
    limit_merge_check()
    limits = document_limiter(max_selections=max_selections, max_aliases=max_aliases)
    return strawberry.Schema(query=Query, extensions=[limits])


def _codes(result: strawberry.types.ExecutionResult) -> list[str]:
    """Each error's code, as the gateway's schema gives it (`classify`)."""
    return [(classify(error).extensions or {}).get("code", "") for error in result.errors or []]


async def test_a_field_repeated_up_to_the_limit_in_one_selection_set_is_accepted():
    # when
    result = await _schema().execute("{ " + "__typename " * MAX_REPEATS + "}")

    # then
    assert result.errors is None
    assert result.data == {"__typename": "Query"}


@pytest.mark.parametrize(
    "document",
    [
        "{ " + "__typename " * 21 + "}",
        # through fragments, as graphql-core's merge check sees them: 3 x 7 = 21
        "{ ...A ...B ... on Query { ...C } }"
        + "".join(f" fragment {name} on Query {{ {'__typename ' * 7}}}" for name in "ABC"),
        # in a nested selection set
        "{ people { " + "emails { address } " * 21 + "} }",
    ],
)
async def test_a_field_repeated_over_the_limit_in_one_selection_set_is_refused(document):
    # when
    result = await _schema().execute(document)

    # then
    assert _codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors and "21 times" in result.errors[0].message
    assert result.data is None


async def test_reliability_04_a_plain_field_repeated_500_times_is_refused_before_validation():
    # when: 500 repeats would cost graphql-core's merge check ~100 ms of validation
    result = await _schema().execute("{ " + "__typename " * 500 + "}")

    # then
    assert _codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.data is None


async def test_selections_over_the_limit_are_refused_before_validation():
    # given: 2 fields, 2 spreads, and the fragment's 4 fields counted once per spread: 12
    document = """
    { people { ...Names } person(id: "x") { ...Names } }
    fragment Names on Person { name emails { address } nope }
    """

    # when
    over = await _schema(max_selections=11).execute(document)
    within = await _schema(max_selections=12).execute(document)

    # then: over the limit, validation never ran (it would report the unknown field `nope`)
    assert _codes(over) == ["QUERY_TOO_COMPLEX"]
    assert over.errors and over.errors[0].extensions == {
        "code": "QUERY_TOO_COMPLEX",
        "maxSelections": 11,
    }
    assert _codes(within) == ["GRAPHQL_VALIDATION_FAILED"]
    assert within.errors and "nope" in within.errors[0].message


async def test_reliability_03_aliases_in_nested_fragments_count_once_per_spread():
    # given: 4 aliases, spread 2 x 2 = 4 times: 16
    document = """
    { ...Twice ...Twice }
    fragment Twice on Query { ...Four ...Four }
    fragment Four on Query { a: __typename b: __typename c: __typename d: __typename }
    """

    # when
    over = await _schema(max_aliases=15).execute(document)
    within = await _schema(max_aliases=16).execute(document)

    # then
    assert _codes(over) == ["GRAPHQL_VALIDATION_FAILED"]
    assert over.errors and "16 aliases" in over.errors[0].message
    assert within.errors is None


async def test_fields_repeated_at_two_levels_are_refused_once_the_merge_check_gives_up():
    # given: 14 x 14 = 196 pairs of `address` to compare for each of 91 pairs of `emails`
    document = "{ people { " + ("emails { " + "address " * 14 + "} ") * 14 + "} }"

    # when
    result = await _schema().execute(document)

    # then
    assert _codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors and "repeats fields too often" in classify(result.errors[0]).message


def _tallied_selection_sets(monkeypatch: pytest.MonkeyPatch) -> list[SelectionSetNode]:
    """Every selection set the document walk tallies, from now on."""
    tallied: list[SelectionSetNode] = []
    real = _Walk.tally

    def spy(self: _Walk, selections: SelectionSetNode | None) -> object:
        if selections is not None:
            tallied.append(selections)
        return real(self, selections)

    monkeypatch.setattr(_Walk, "tally", spy)
    return tallied


async def test_a_fragment_bomb_is_refused_walking_each_fragment_once(monkeypatch):
    # given: each fragment spreads the next twice, 2^12 = 4,096 expansions of two selections
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(12)
    )
    document = "{ ...F0 }\n" + fragments + "fragment F12 on Query { people { name } }"
    tallied = _tallied_selection_sets(monkeypatch)

    # when
    result = await _schema().execute(document)

    # then: refused for its expanded size, each selection set walked once (no blow-up)
    assert _codes(result) == ["QUERY_TOO_COMPLEX"]
    assert len(tallied) == len({id(selections) for selections in tallied}) <= 1 + 13 + 1


async def test_reliability_02_circular_fragments_are_walked_once_and_refused(monkeypatch):
    # given
    document = """
    { ...A }
    fragment A on Query { ...B people { name } }
    fragment B on Query { ...C }
    fragment C on Query { ...A }
    """
    tallied = _tallied_selection_sets(monkeypatch)

    # when
    result = await _schema().execute(document)

    # then: the walk stops at the cycle; validation reports it
    assert _codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert len(tallied) == len({id(selections) for selections in tallied})
