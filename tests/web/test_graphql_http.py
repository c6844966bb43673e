"""The GraphQL-over-HTTP spec at /graphql: methods, media types, status codes, request limits."""

from __future__ import annotations

import json

import pytest

from app.settings import Environment
from tests.conftest import running_gateway
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors, error_codes

TYPENAME = "{ __typename }"
CUSTOMERS = "query Customers($first: Int) { customers(first: $first) { totalCount } }"
CREATE = 'mutation { createCustomer(input: {givenName: "Jane"}) { id } }'
INTROSPECTION = "{ __schema { queryType { name } } }"
CREATE_THEN_LIST = f"mutation Create {CREATE[9:]} query Customers {{ customers {{ totalCount }} }}"


def _production(settings):
    return settings.model_copy(update={"environment": Environment.PRODUCTION})


async def _total(client) -> int:
    response = await client.post("/graphql", json={"query": CUSTOMERS})
    return assert_no_errors(response.json())["customers"]["totalCount"]


async def test_get_runs_a_query_with_json_variables(client):
    # when
    response = await client.get(
        "/graphql",
        params={
            "query": CUSTOMERS,
            "variables": json.dumps({"first": 5}),
            "operationName": "Customers",
        },
    )

    # then
    assert response.status_code == 200
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


async def test_get_with_variables_that_are_not_json_is_400(client):
    # when
    response = await client.get("/graphql", params={"query": CUSTOMERS, "variables": "{first"})

    # then
    assert response.status_code == 400


async def test_reliability_10_a_mutation_over_get_is_405_and_writes_nothing(client):
    # when
    response = await client.get("/graphql", params={"query": CREATE})

    # then
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert await _total(client) == 0


@pytest.mark.parametrize(
    "document",
    [
        CREATE_THEN_LIST,
        "mutation A { createCustomer(input: {}) { id } } mutation B { __typename }",
        "query A { __typename } query B { __typename }",
    ],
)
async def test_several_operations_without_an_operation_name_are_a_request_error(client, document):
    # when
    response = await client.post(
        "/graphql", json={"query": document}, headers={"accept": GRAPHQL_RESPONSE}
    )

    # then: nothing ran, and the client is told to name the operation
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    assert "operationName" in response.json()["errors"][0]["message"]
    assert "data" not in response.json()
    assert await _total(client) == 0


async def test_several_operations_run_the_one_named(client):
    # when
    response = await client.post(
        "/graphql",
        json={
            "query": CREATE_THEN_LIST,
            "operationName": "Customers",
        },
    )

    # then
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_told_subscriptions_are_not_served_here(client, method):
    # given
    document = "subscription { __typename }"

    # when
    if method == "GET":
        response = await client.get("/graphql", params={"query": document})
    else:
        response = await client.post("/graphql", json={"query": document})

    # then
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    message = response.json()["errors"][0]["message"]
    assert message.startswith("subscriptions are not served over HTTP")


async def test_other_methods_are_405(client):
    # when
    response = await client.put("/graphql", json={"query": TYPENAME})

    # then
    assert response.status_code == 405


async def test_post_with_application_json(client):
    # when
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": TYPENAME}),
        headers={"content-type": "application/json; charset=utf-8"},
    )

    # then
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", json.dumps({"query": CREATE})),
        ("application/x-www-form-urlencoded", "query=" + CREATE),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=q\r\n"),
        ("application/graphql", CREATE),
    ],
)
async def test_reliability_10_csrf_prone_content_types_are_415(client, content_type, content):
    # when
    response = await client.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )

    # then
    assert response.status_code == 415
    assert await _total(client) == 0


async def test_a_multipart_upload_is_415(client):
    # when
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps({"query": CREATE}), "map": "{}"},
        files={"0": ("a.txt", b"hello")},
    )

    # then
    assert response.status_code == 415


@pytest.mark.parametrize("body", [b"{not json", b"", b'"just a string"', b'{"query": 5}'])
async def test_a_malformed_body_is_400(client, body):
    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    # then
    assert response.status_code == 400
    assert response.json()["errors"]


async def test_graphql_response_media_type_is_used_when_accepted(client):
    # when
    response = await client.post(
        "/graphql", json={"query": TYPENAME}, headers={"accept": GRAPHQL_RESPONSE}
    )

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ customers ", "GRAPHQL_PARSE_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")],
)
async def test_request_errors_are_400_with_graphql_response_json(client, query, code):
    # when
    response = await client.post(
        "/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE}
    )

    # then
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert error_codes(response.json()) == [code]
    assert "data" not in response.json()


@pytest.mark.parametrize("query", ["{ customers ", "{ nope }"])
async def test_request_errors_are_200_with_legacy_application_json(client, query):
    # when
    response = await client.post(
        "/graphql", json={"query": query}, headers={"accept": "application/json"}
    )

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"]


async def test_field_errors_are_200_even_with_graphql_response_json(client):
    # when
    response = await client.post(
        "/graphql",
        json={"query": "{ customers(first: 0) { totalCount } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    # then
    assert response.status_code == 200
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png"])
async def test_an_unacceptable_accept_header_is_406(client, accept):
    # when
    response = await client.post("/graphql", json={"query": TYPENAME}, headers={"accept": accept})

    # then
    assert response.status_code == 406


async def test_reliability_05_a_body_over_the_limit_is_413(client):
    # given: just over 1 MB
    padding = " " * 1_000_001

    # when
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }" + padding}),
        headers={"content-type": "application/json"},
    )

    # then
    assert response.status_code == 413


async def test_reliability_05_a_streamed_body_over_the_limit_is_413(client):
    # given: no content-length, so the limit must hold while reading
    async def chunks():
        yield b'{"query": "{ __typename }'
        for _ in range(100):
            yield b" " * 20_000
        yield b'"}'

    # when
    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    # then
    assert response.status_code == 413


async def test_reliability_06_a_batch_is_400_when_batching_is_off(client):
    # when
    response = await client.post("/graphql", json=[{"query": TYPENAME}, {"query": TYPENAME}])

    # then
    assert response.status_code == 400


async def test_reliability_06_a_batch_within_the_configured_limit_works(settings):
    # given
    async with running_gateway(settings.model_copy(update={"max_batch_operations": 2})) as gw:
        # when
        response = await gw.client.post(
            "/graphql", json=[{"query": TYPENAME}, {"query": CUSTOMERS, "variables": {}}]
        )

    # then
    assert response.status_code == 200
    assert response.json() == [
        {"data": {"__typename": "Query"}},
        {"data": {"customers": {"totalCount": 0}}},
    ]


async def test_reliability_06_a_batch_over_the_configured_limit_is_400(settings):
    # given
    async with running_gateway(settings.model_copy(update={"max_batch_operations": 2})) as gw:
        # when
        response = await gw.client.post("/graphql", json=[{"query": CREATE}] * 3)
        total = await _total(gw.client)

    # then
    assert response.status_code == 400
    assert total == 0


async def test_graphiql_is_served_in_development(client):
    # when
    response = await client.get("/graphql", headers={"accept": "text/html"})

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_reliability_09_no_graphiql_in_production(settings):
    # given
    async with running_gateway(_production(settings)) as gateway:
        # when
        response = await gateway.client.get("/graphql", headers={"accept": "text/html"})

    # then
    assert not response.headers["content-type"].startswith("text/html")
    assert "graphiql" not in response.text.lower()


async def test_graphiql_files_are_public_in_development_and_absent_in_production(settings):
    # given
    path = "/graphiql/vendor/graphiql.min.js"
    async with running_gateway(settings) as gateway:
        async with gateway.new_client() as anonymous:
            # when
            development = await anonymous.get(path)
    async with running_gateway(_production(settings)) as gateway:
        async with gateway.new_client() as anonymous:
            anonymous_production = await anonymous.get(path)
        admin_production = await gateway.client.get(path)

    # then
    assert development.status_code == 200
    assert development.headers["content-type"].startswith("text/javascript")
    assert anonymous_production.status_code == 401
    assert admin_production.status_code == 404


async def test_reliability_09_introspection_is_off_in_production_but_typename_works(settings):
    # given
    async with running_gateway(_production(settings)) as gateway:
        # when
        introspection = await gateway.client.post("/graphql", json={"query": INTROSPECTION})
        typename = await gateway.client.post("/graphql", json={"query": TYPENAME})

    # then
    assert set(error_codes(introspection.json())) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "data" not in introspection.json()
    assert assert_no_errors(typename.json()) == {"__typename": "Query"}


async def test_introspection_works_in_development(client):
    # when
    response = await client.post("/graphql", json={"query": INTROSPECTION})

    # then
    assert assert_no_errors(response.json()) == {"__schema": {"queryType": {"name": "Query"}}}


async def test_reliability_09_no_did_you_mean_suggestions_in_production(settings):
    # given
    async with running_gateway(_production(settings)) as gateway:
        # when
        response = await gateway.client.post("/graphql", json={"query": "{ customerz { id } }"})

    # then
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in response.text
