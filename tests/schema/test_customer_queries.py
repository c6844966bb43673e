"""The single-customer queries: `node`, `customer` and `customerBySourceId`."""

from __future__ import annotations

from tests.graphql_client import (
    assert_no_errors,
    create_customer,
    error_codes,
    global_id,
    gql,
    node_id,
)
from tests.schema.rows import merge_into

NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename id ... on Customer { givenName } }
}
"""

CUSTOMER = """
query Customer($id: ID!) {
  customer(id: $id) { id givenName familyName version }
}
"""

BY_SOURCE = """
query BySource($system: String!, $externalId: String!) {
  customerBySourceId(system: $system, externalId: $externalId) { id givenName }
}
"""

LINK = """
mutation Link($input: LinkSourceIdentityInput!) {
  linkSourceIdentity(input: $input) { id }
}
"""


async def test_node_resolves_a_customer_by_global_id(client):
    # given
    created = await create_customer(client, givenName="Jane")

    # when
    body = await gql(client, NODE, {"id": created["id"]})

    # then
    node = assert_no_errors(body)["node"]
    assert node == {"__typename": "Customer", "id": created["id"], "givenName": "Jane"}


async def test_node_with_an_unknown_customer_id_is_not_found(client):
    # when
    body = await gql(client, NODE, {"id": global_id("Customer", "no-such-customer")})

    # then
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["data"] is None


async def test_node_never_resolves_a_contact_point_id_to_a_customer(client):
    # given
    await create_customer(client, emails=["jane@example.com"])

    # when
    body = await gql(client, NODE, {"id": global_id("ContactPoint", 1)})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


async def test_customer_by_id(client):
    # given
    created = await create_customer(client, givenName="Jane", familyName="Doe")

    # when
    body = await gql(client, CUSTOMER, {"id": created["id"]})

    # then
    assert assert_no_errors(body)["customer"] == {
        "id": created["id"],
        "givenName": "Jane",
        "familyName": "Doe",
        "version": 1,
    }


async def test_customer_with_an_unknown_id_is_null_and_not_found(client):
    # when
    body = await gql(client, CUSTOMER, {"id": global_id("Customer", "no-such-customer")})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["path"] == ["customer"]


async def test_customer_with_a_merged_id_gives_the_survivor(client, db):
    # given
    survivor = await create_customer(client, givenName="Survivor")
    loser = await create_customer(client, givenName="Loser")
    await merge_into(db, loser=node_id(loser["id"]), survivor=node_id(survivor["id"]))

    # when
    body = await gql(client, CUSTOMER, {"id": loser["id"]})

    # then
    customer = assert_no_errors(body)["customer"]
    assert customer["id"] == survivor["id"]
    assert customer["givenName"] == "Survivor"


async def test_customer_follows_a_chain_of_merges(client, db):
    # given
    first = await create_customer(client, givenName="First")
    second = await create_customer(client, givenName="Second")
    third = await create_customer(client, givenName="Third")
    await merge_into(db, loser=node_id(first["id"]), survivor=node_id(second["id"]))
    await merge_into(db, loser=node_id(second["id"]), survivor=node_id(third["id"]))

    # when
    body = await gql(client, CUSTOMER, {"id": first["id"]})

    # then
    assert assert_no_errors(body)["customer"]["id"] == third["id"]


async def test_customer_by_source_id_after_linking(client):
    # given
    created = await create_customer(client, givenName="Jane")
    linked = await gql(
        client,
        LINK,
        {"input": {"customerId": created["id"], "system": "odoo", "externalId": "res.partner:7"}},
    )
    assert_no_errors(linked)

    # when
    body = await gql(client, BY_SOURCE, {"system": " ODOO ", "externalId": "res.partner:7"})

    # then
    assert assert_no_errors(body)["customerBySourceId"] == {
        "id": created["id"],
        "givenName": "Jane",
    }


async def test_customer_by_loyalty_id_of_a_created_customer(client):
    # given
    created = await create_customer(client, givenName="Jane", loyaltyId="LOY-0042")

    # when
    body = await gql(client, BY_SOURCE, {"system": "loyalty", "externalId": "LOY-0042"})

    # then
    assert assert_no_errors(body)["customerBySourceId"]["id"] == created["id"]


async def test_customer_by_source_id_of_a_merged_customer_gives_the_survivor(client, db):
    # given
    survivor = await create_customer(client, givenName="Survivor")
    await create_customer(client, givenName="Loser", loyaltyId="LOY-1")
    loser_id = await _customer_id_by_loyalty(client, "LOY-1")
    await merge_into(db, loser=loser_id, survivor=node_id(survivor["id"]))

    # when
    body = await gql(client, BY_SOURCE, {"system": "loyalty", "externalId": "LOY-1"})

    # then
    assert assert_no_errors(body)["customerBySourceId"]["id"] == survivor["id"]


async def test_customer_by_unknown_source_id_is_null_and_not_found(client):
    # when
    body = await gql(client, BY_SOURCE, {"system": "hubspot", "externalId": "404"})

    # then
    assert body["data"] == {"customerBySourceId": None}
    assert error_codes(body) == ["NOT_FOUND"]


async def _customer_id_by_loyalty(client, loyalty_id: str) -> str:
    body = await gql(client, BY_SOURCE, {"system": "loyalty", "externalId": loyalty_id})
    return node_id(assert_no_errors(body)["customerBySourceId"]["id"])
