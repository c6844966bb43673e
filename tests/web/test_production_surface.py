"""RELIABILITY 9, completed: nothing in production tells a caller what the schema looks like."""

from __future__ import annotations

import pytest

from app.settings import Environment
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, error_codes, gql

TYPENAMES = "{ __typename customers(first: 1) { __typename pageInfo { __typename } } }"
# Each misspelling would earn a "Did you mean ...?" naming a real field, argument or value.
MISSPELLED = [
    "{ customers(firts: 1) { totalCount } }",
    "{ customers(orderBy: {field: CREATED_ATT}) { totalCount } }",
    "{ customers { edges { node { familyNam } } } }",
    "{ customers(filter: {lifecycleStag: ACTIVE}) { totalCount } }",
]
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


@pytest.mark.parametrize("query", MISSPELLED)
async def test_reliability_09_no_suggestion_of_any_kind_in_production(production, query):
    # when
    body = await gql(production, query)

    # then
    assert error_codes(body)
    assert "Did you mean" not in str(body)


@pytest.mark.parametrize("query", MISSPELLED)
async def test_suggestions_help_in_development(client, query):
    # when
    body = await gql(client, query)

    # then: the production test above would pass vacuously if nothing ever suggested
    assert "Did you mean" in str(body)
