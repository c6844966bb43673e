"""Request limits (RELIABILITY.md "Bad input"): depth, aliases, tokens, fragments, repetition."""

from __future__ import annotations

import time

import pytest

from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, error_codes, gql

# Depth counts from 0 at the root field: these documents have depth 6 and 5.
SEVEN_LEVELS = "{ customers { edges { node { interactions { edges { node { id } } } } } } }"
SIX_LEVELS = "{ customers { edges { node { interactions { edges { cursor } } } } } }"


async def test_reliability_01_depth_limit_one_level_over_is_rejected_before_any_resolver(
    settings, list_calls
):
    # given
    async with running_gateway(settings.model_copy(update={"max_query_depth": 5})) as gateway:
        # when
        within = await gql(gateway.client, SIX_LEVELS)
        over = await gql(gateway.client, SEVEN_LEVELS)

    # then
    assert_no_errors(within)
    assert len(list_calls) == 1
    assert error_codes(over) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "depth" in over["errors"][0]["message"]
    assert "data" not in over


async def test_reliability_01_depth_limit_counts_through_fragments(settings, list_calls):
    # given
    query = """
    query { customers { ...Page } }
    fragment Page on CustomerConnection { edges { node { ...Timeline } } }
    fragment Timeline on Customer { interactions { edges { node { id } } } }
    """
    async with running_gateway(settings.model_copy(update={"max_query_depth": 5})) as gateway:
        # when
        body = await gql(gateway.client, query)

    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert list_calls == []


async def test_reliability_01_the_default_depth_limit_allows_the_deepest_real_query(client):
    # when
    body = await gql(client, SEVEN_LEVELS)

    # then
    assert_no_errors(body)


def _aliases(count: int) -> str:
    return " ".join(f"a{index}: __typename" for index in range(count))


async def test_reliability_03_aliases_up_to_the_limit_are_accepted(client):
    # when
    body = await gql(client, "{ " + _aliases(15) + " }")

    # then
    assert len(assert_no_errors(body)) == 15


async def test_reliability_03_alias_flood_over_the_limit_is_rejected(client, list_calls):
    # given
    query = "{ " + _aliases(15) + " c: customers { totalCount } }"

    # when
    body = await gql(client, query)

    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in body["errors"][0]["message"]
    assert list_calls == []


async def test_reliability_03_aliases_multiplied_through_fragment_spreads_are_rejected(client):
    # given: 8 aliases, counted once per spread
    query = "query { ...Eight ...Eight } fragment Eight on Query { " + _aliases(8) + " }"

    # when
    body = await gql(client, query)

    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_reliability_03_aliases_multiplied_through_nested_fragments_are_rejected(client):
    # given: 4 aliases, spread 2 x 2 = 4 times
    query = """
    query { ...Twice ...Twice }
    fragment Twice on Query { ...Four ...Four }
    fragment Four on Query { a: __typename b: __typename c: __typename d: __typename }
    """

    # when
    body = await gql(client, query)

    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_reliability_02_circular_fragments_are_rejected_fast(client):
    # given
    query = """
    query { ...A }
    fragment A on Query { ...B customers { totalCount } }
    fragment B on Query { ...C }
    fragment C on Query { ...A }
    """

    # when
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": query},
        headers={"accept": "application/graphql-response+json"},
    )
    elapsed = time.perf_counter() - started

    # then: a generous bound; recursion blowing up would take far longer (or raise)
    assert response.status_code == 400
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "RecursionError" not in response.text
    assert elapsed < 1.0


async def test_reliability_02_a_fragment_spreading_itself_is_rejected(client):
    # when
    body = await gql(client, "query { ...A } fragment A on Query { __typename ...A }")

    # then
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_reliability_04_a_field_repeated_1000_times_is_rejected(client):
    # when
    body = await gql(client, "{ " + "__typename " * 1000 + "}")

    # then
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "data" not in body


async def test_reliability_04_a_directive_repeated_10_times_is_rejected(client):
    # when
    body = await gql(client, "{ __typename " + "@include(if: true) " * 10 + "}")

    # then
    assert error_codes(body) and set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


def _tokens(count: int) -> str:
    """A valid document of exactly `count` tokens (22 of structure, the rest list items)."""
    names = '"nps" ' * (count - 22)
    metrics = "metrics(names: [" + names + "]) { name }"
    return "{ customers { totalCount edges { node { " + metrics + " } } } }"


async def test_reliability_05_a_document_over_the_token_limit_is_rejected(client, list_calls):
    # when
    body = await gql(client, _tokens(2001))

    # then
    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in body["errors"][0]["message"]
    assert list_calls == []


async def test_reliability_05_a_document_at_the_token_limit_is_accepted(client):
    # when
    body = await gql(client, _tokens(2000))

    # then
    assert_no_errors(body)


async def test_a_field_repeated_up_to_the_limit_in_one_selection_set_is_accepted(client):
    # when
    body = await gql(client, "{ " + "__typename " * 20 + "}")

    # then
    assert assert_no_errors(body) == {"__typename": "Query"}


@pytest.mark.parametrize(
    "document",
    [
        "{ " + "__typename " * 21 + "}",
        # through fragments, as graphql-core's merge check sees them: 3 x 7 = 21
        "{ ...A ...B ... on Query { ...C } }"
        + "".join(f" fragment {name} on Query {{ {'__typename ' * 7}}}" for name in "ABC"),
        # in a nested selection set
        "{ customers { edges { node { " + "emails { address } " * 21 + "} } } }",
    ],
)
async def test_a_field_repeated_over_the_limit_in_one_selection_set_is_refused(client, document):
    # when
    body = await gql(client, document)

    # then
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "21 times" in body["errors"][0]["message"]
    assert "data" not in body


async def test_selections_over_the_limit_are_refused_before_validation(settings):
    # given: 4 fields and 2 spreads of a fragment of 4 (counted once per spread): 14
    document = """
    { customers { edges { node { ...Names } } } customer(id: "x") { ...Names } }
    fragment Names on Customer { id givenName familyName nope }
    """
    async with running_gateway(settings.model_copy(update={"max_selections": 13})) as gateway:
        # when
        over = await gql(gateway.client, document)
    async with running_gateway(settings.model_copy(update={"max_selections": 14})) as gateway:
        within = await gql(gateway.client, document)

    # then: over the limit, validation never ran (it would report the unknown field `nope`)
    assert error_codes(over) == ["QUERY_TOO_COMPLEX"]
    assert over["errors"][0]["extensions"]["maxSelections"] == 13
    assert error_codes(within) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "nope" in within["errors"][0]["message"]


async def test_fields_repeated_at_two_levels_are_refused_once_the_merge_check_gives_up(client):
    # given: 14 x 14 = 196 pairs of `address` to compare for each of 91 pairs of `emails`
    document = (
        "{ customers { edges { node { " + ("emails { " + "address " * 14 + "} ") * 14 + "} } } }"
    )

    # when
    body = await gql(client, document)

    # then
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "repeats fields too often" in body["errors"][0]["message"]
