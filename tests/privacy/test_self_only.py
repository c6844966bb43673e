"""RELIABILITY 13: a customer principal reaches no one else's record, by any id form."""

from __future__ import annotations

import pytest

from app.privacy.principals import Purpose, Role
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.privacy.people import create_john, create_person

CUSTOMER = "query($id: ID!) { customer(id: $id) { id givenName } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Customer { givenName } } }"
BY_SOURCE = """
query($system: String!, $externalId: String!) {
  customerBySourceId(system: $system, externalId: $externalId) { id givenName }
}
"""
CUSTOMERS = "query { customers(first: 100) { edges { node { id givenName } } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Customer { id givenName } }
}
"""
AUDIENCE = """
query { customers(filter: {consentedTo: {purpose: ANALYTICS}}) { edges { node { id } } } }
"""


@pytest.fixture
async def jane_and_john_as_john(client, client_for):
    """Jane, John, and a client signed in as the customer John."""
    jane = await create_person(client)
    john = await create_john(client)
    as_john = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, john.store_id)
    return jane, john, as_john


async def test_reliability_13_another_customer_by_id_is_forbidden(jane_and_john_as_john):
    # given
    jane, _, as_john = jane_and_john_as_john

    # when
    body = await gql(as_john, CUSTOMER, {"id": jane.id})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["FORBIDDEN"]


async def test_reliability_13_another_customer_by_node_id_is_forbidden(jane_and_john_as_john):
    # given
    jane, _, as_john = jane_and_john_as_john

    # when
    body = await gql(as_john, NODE, {"id": jane.id})

    # then
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert "Jane" not in str(body)


async def test_reliability_13_another_customer_by_source_id_is_forbidden(jane_and_john_as_john):
    # given
    _, _, as_john = jane_and_john_as_john

    # when
    body = await gql(as_john, BY_SOURCE, {"system": "loyalty", "externalId": "LOY-1001"})

    # then
    assert body["data"] == {"customerBySourceId": None}
    assert error_codes(body) == ["FORBIDDEN"]


async def test_reliability_13_another_customer_through_federation_entities_is_forbidden(
    jane_and_john_as_john,
):
    # given
    jane, _, as_john = jane_and_john_as_john
    representations = [{"__typename": "Customer", "id": jane.id}]

    # when
    body = await gql(as_john, ENTITIES, {"representations": representations})

    # then
    assert "Jane" not in str(body)
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("query", [CUSTOMERS, AUDIENCE], ids=["list", "audience"])
async def test_reliability_13_a_customer_cannot_list_customers(jane_and_john_as_john, query):
    # given
    _, _, as_john = jane_and_john_as_john

    # when
    body = await gql(as_john, query)

    # then
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]


async def test_reliability_13_the_customers_own_record_is_reachable_by_every_id_form(
    jane_and_john_as_john,
):
    # given
    _, john, as_john = jane_and_john_as_john

    # when
    by_id = await gql(as_john, CUSTOMER, {"id": john.id})
    by_node = await gql(as_john, NODE, {"id": john.id})
    by_source = await gql(as_john, BY_SOURCE, {"system": "loyalty", "externalId": "LOY-2002"})

    # then
    assert assert_no_errors(by_id)["customer"] == {"id": john.id, "givenName": "John"}
    assert assert_no_errors(by_node)["node"] == {"id": john.id, "givenName": "John"}
    assert assert_no_errors(by_source)["customerBySourceId"]["id"] == john.id


@pytest.mark.parametrize("type_name", ["ContactPoint", "Interaction", "EmailAddress", "AuditEvent"])
async def test_reliability_13_a_global_id_of_another_type_never_resolves_to_a_customer(
    client, type_name
):
    # given: an id of another type whose inner id is a real customer id
    jane = await create_person(client)
    foreign = global_id(type_name, jane.store_id)

    # when
    by_id = await gql(client, CUSTOMER, {"id": foreign})
    by_node = await gql(client, NODE, {"id": foreign})
    by_entities = await gql(
        client, ENTITIES, {"representations": [{"__typename": "Customer", "id": foreign}]}
    )

    # then
    assert by_id["data"] == {"customer": None}
    assert error_codes(by_id) == ["BAD_USER_INPUT"]
    assert by_node["data"] is None
    assert "Jane" not in str(by_node)
    assert error_codes(by_node)
    assert by_entities["data"] == {"_entities": [None]}
