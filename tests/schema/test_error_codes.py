"""Every error code a client can see, each from the input that causes it.

How parse, validation and variable errors are classified: test_error_classification.py.
"""

from __future__ import annotations

import pytest

import app.customers.profiles
from tests.graphql_client import (
    GRAPHQL_RESPONSE,
    assert_no_errors,
    create_customer,
    error_codes,
    global_id,
    gql,
)

CREATE = """
mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }
"""

CUSTOMER = """
query Customer($id: ID!) { customer(id: $id) { id } }
"""

TOTAL = "{ customers { totalCount } }"


@pytest.mark.parametrize(
    "given",
    [
        {"emails": ["jane.example.com"]},
        {"phones": ["not a phone"]},
        {"phones": ["+44 12"]},
        {"locale": "english please"},
        {"birthDate": "2999-01-01"},
        {"birthDate": "1850-01-01"},
        {"givenName": "x" * 201},
        {"addresses": [{"street": "1 A St", "city": "Leeds", "country": "United Kingdom"}]},
    ],
)
async def test_bad_user_input_for_invalid_profile_values(client, given):
    # when
    body = await gql(client, CREATE, {"input": given})

    # then
    assert body["data"] == {"createCustomer": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert assert_no_errors(await gql(client, TOTAL))["customers"]["totalCount"] == 0


async def test_bad_user_input_for_a_global_id_of_another_type(client):
    # given
    await create_customer(client, emails=["jane@example.com"])

    # when
    body = await gql(client, CUSTOMER, {"id": global_id("ContactPoint", 1)})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("malformed", ["not-base64!!", "Q3VzdG9tZXI", "5"])
async def test_bad_user_input_for_a_malformed_global_id(client, malformed):
    # when
    body = await gql(client, CUSTOMER, {"id": malformed})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_bad_user_input_for_a_malformed_global_id_literal(client):
    # when
    body = await gql(client, '{ customer(id: "not-base64!!") { id } }')

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_not_found_for_an_unknown_customer(client):
    # when
    body = await gql(client, CUSTOMER, {"id": global_id("Customer", "missing")})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["message"] == "customer not found"


async def test_conflict_for_a_stale_version(client):
    # given
    created = await create_customer(client)
    update = "mutation($id: ID!) { updateCustomer(input: {id: $id, version: 7}) { id } }"

    # when
    body = await gql(client, update, {"id": created["id"]})

    # then
    assert error_codes(body) == ["CONFLICT"]


async def test_reliability_11_internal_error_is_masked(client, monkeypatch):
    # given
    async def broken(*args, **kwargs):
        raise RuntimeError("postgresql://user:secret@db/x")

    monkeypatch.setattr(app.customers.profiles, "create_customer", broken)

    # when
    response = await client.post(
        "/graphql", json={"query": CREATE, "variables": {"input": {"givenName": "Jane"}}}
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"createCustomer": None}
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": body["errors"][0]["locations"],
            "path": ["createCustomer"],
            "extensions": {"code": "INTERNAL"},
        }
    ]
    assert "secret" not in response.text
    assert "postgresql" not in response.text
    assert "Traceback" not in response.text


# Every paged field, with `first` written into the document ({first}) or given as $first.
PAGED_FIELDS = [
    "customers(first: {first}) {{ totalCount }}",
    "duplicateCandidates(first: {first}) {{ totalCount }}",
    "atRiskCustomers(first: {first}) {{ pageInfo {{ hasNextPage }} }}",
    "unmatchedRespondents(first: {first}) {{ pageInfo {{ hasNextPage }} }}",
    'auditTrail(customerId: "{customer}", first: {first}) {{ pageInfo {{ hasNextPage }} }}',
    'customer(id: "{customer}") {{ accessLog(first: {first}) {{ pageInfo {{ hasNextPage }} }} }}',
    'customer(id: "{customer}") {{ surveyResponses(first: {first}) {{ totalCount }} }}',
    'customer(id: "{customer}") {{ orders(first: {first}) {{ totalCount }} }}',
    'customer(id: "{customer}") {{ interactions(first: {first}) {{ edges {{ cursor }} }} }}',
    'customer(id: "{customer}") {{ metricHistory(name: "nps", first: {first}) {{ value }} }}',
]


@pytest.mark.parametrize("field", PAGED_FIELDS)
async def test_a_page_size_beyond_64_bits_is_bad_user_input(client, field):
    # given
    customer = (await create_customer(client))["id"]
    document = "{ " + field.format(first="99999999999999999999", customer=customer) + " }"

    # when
    response = await client.post(
        "/graphql", json={"query": document}, headers={"accept": GRAPHQL_RESPONSE}
    )

    # then: a request error in JSON, with the request id, not a plain-text 500
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.headers["x-request-id"]
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("field", PAGED_FIELDS)
async def test_reliability_07_a_page_size_over_the_maximum_is_bad_user_input_as_literal_or_variable(
    client, field
):
    # given
    customer = (await create_customer(client))["id"]
    literal = "{ " + field.format(first="99999999", customer=customer) + " }"
    variable = "query($first: Int) { " + field.format(first="$first", customer=customer) + " }"

    # when
    as_literal = await gql(client, literal)
    as_variable = await gql(client, variable, {"first": 99999999})

    # then: the same answer either way
    assert error_codes(as_literal) == ["BAD_USER_INPUT"]
    assert as_literal == as_variable | {"errors": as_literal["errors"]}
    assert [e["message"] for e in as_literal["errors"]] == [
        e["message"] for e in as_variable["errors"]
    ]
