"""Apollo Federation: the subgraph SDL and entity resolution of Customer."""

from __future__ import annotations

from tests.graphql_client import assert_no_errors, create_customer, global_id, gql

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
