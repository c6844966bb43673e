"""RELIABILITY 9, completed: nothing in production tells a caller what the schema looks like."""

from __future__ import annotations

import pytest

from app.settings import Environment
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, error_codes, gql

TYPENAMES = "{ __typename customers(first: 1) { __typename pageInfo { __typename } } }"
# The misspelling of the production test in test_graphql_http.py: it earns a "Did you mean".
MISSPELLED = "{ customerz { id } }"
INTROSPECTIONS = [
    "{ __schema { types { name } } }",
    '{ __type(name: "Customer") { fields { name } } }',
    "{ customers { edges { node { __type: __typename } } } __schema { queryType { name } } }",
]


@pytest.fixture
async def production(settings):
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    async with running_gateway(production) as gateway:
        yield gateway.client


async def test_reliability_09_typename_works_at_every_level_in_production(production):
    # when
    body = await gql(production, TYPENAMES)

    # then
    assert assert_no_errors(body) == {
        "__typename": "Query",
        "customers": {"__typename": "CustomerConnection", "pageInfo": {"__typename": "PageInfo"}},
    }


@pytest.mark.parametrize("query", INTROSPECTIONS)
async def test_reliability_09_every_introspection_form_is_refused_in_production(production, query):
    # when
    body = await gql(production, query)

    # then
    assert "data" not in body
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


async def test_reliability_09_the_federation_sdl_is_not_served_in_production(production):
    # when
    body = await gql(production, "{ _service { sdl } }")

    # then
    assert "data" not in body
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "type Customer" not in str(body)


async def test_suggestions_help_in_development(client):
    # when
    body = await gql(client, MISSPELLED)

    # then: the production test (tests/web/test_graphql_http.py) would pass vacuously if
    # nothing ever suggested; every form of hint is dropped in
    # tests/schema/extensions/test_hide_suggestions.py
    assert "Did you mean" in str(body)
