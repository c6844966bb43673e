"""Apollo Federation: the subgraph SDL and entity resolution of Customer."""

from __future__ import annotations

import pytest

from tests.graphql_client import assert_no_errors, create_customer, error_codes, global_id, gql

SERVICE = "{ _service { sdl } }"

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { __typename ... on Customer { id givenName } }
}
"""


async def test_service_sdl_declares_customer_as_an_entity_keyed_by_id(client):
    # when
    body = await gql(client, SERVICE)

    # then
    sdl = assert_no_errors(body)["_service"]["sdl"]
    assert 'type Customer implements Node @key(fields: "id")' in sdl


async def test_entities_resolve_a_customer_by_global_id(client):
    # given
    created = await create_customer(client, givenName="Jane")

    # when
    body = await gql(
        client,
        ENTITIES,
        {
            "representations": [
                {"__typename": "Customer", "id": created["id"]},
                {"__typename": "Customer", "id": global_id("Customer", "missing")},
            ]
        },
    )

    # then
    assert assert_no_errors(body)["_entities"] == [
        {"__typename": "Customer", "id": created["id"], "givenName": "Jane"},
        None,
    ]


@pytest.mark.parametrize(
    "malformed",
    [
        {"__typename": "Customer"},
        {"__typename": "Customer", "id": 5},
        {"__typename": "Customer", "id": "x", "email": "jane@example.com"},
        {"__typename": "Order", "id": "x"},
        {"__typename": "Nope", "id": "x"},
        {"id": "x"},
        "x",
        1,
        [],
    ],
)
async def test_a_malformed_representation_is_bad_user_input_for_that_item_only(client, malformed):
    # given
    created = await create_customer(client, givenName="Jane")
    wellformed = {"__typename": "Customer", "id": created["id"]}

    # when
    body = await gql(client, ENTITIES, {"representations": [wellformed, malformed]})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["_entities", 1]
    assert body["data"]["_entities"] == [
        {"__typename": "Customer", "id": created["id"], "givenName": "Jane"},
        None,
    ]


async def test_representations_written_as_literals_that_are_malformed_are_bad_user_input(client):
    # when
    body = await gql(client, '{ _entities(representations: ["x", 1]) { __typename } }')

    # then
    assert error_codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
