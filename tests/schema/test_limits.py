"""Request limits (RELIABILITY.md "Bad input"): depth, aliases, tokens, fragments, repetition."""

from __future__ import annotations

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


async def test_reliability_02_circular_fragments_are_rejected(client):
    # given
    query = """
    query { ...A }
    fragment A on Query { ...B customers { totalCount } }
    fragment B on Query { ...C }
    fragment C on Query { ...A }
    """

    # when
    response = await client.post(
        "/graphql",
        json={"query": query},
        headers={"accept": "application/graphql-response+json"},
    )

    # then: refused, not a 5xx (the walks that stop at a cycle are in tests/schema/extensions)
    assert response.status_code == 400
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "RecursionError" not in response.text


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
