"""Browsers on other origins (CORS), and no cached copies of answers carrying personal data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.settings import Settings
from tests.conftest import Gateway, running_gateway
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors
from tests.privacy.people import create_person

WIDGET = "https://shop.example.com"
PREFLIGHT = {
    "Origin": WIDGET,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-api-key",
}
EXPORT = "query Export($id: ID!) { exportCustomerData(customerId: $id) { document } }"
READ = "query Read($id: ID!) { customer(id: $id) { displayName emails { address } } }"


@pytest.fixture
async def cors_gateway(settings) -> AsyncIterator[Gateway]:
    allowed = settings.model_copy(update={"cors_allowed_origins": [WIDGET]})
    async with running_gateway(allowed) as gateway:
        yield gateway


async def test_a_preflight_from_an_allowed_origin_is_answered_without_a_key(cors_gateway):
    # given
    async with cors_gateway.new_client() as browser:
        # when
        response = await browser.options("/graphql", headers=PREFLIGHT)

    # then
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == WIDGET
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "x-api-key" in allowed and "content-type" in allowed


async def test_an_allowed_origin_reads_the_answer_and_its_request_id(cors_gateway):
    # given
    headers = await cors_gateway.headers_for("support_agent", "support")
    async with cors_gateway.new_client(headers) as browser:
        # when
        response = await browser.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": WIDGET}
        )

    # then
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == WIDGET
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_another_origin_is_not_allowed(cors_gateway):
    # given
    async with cors_gateway.new_client() as browser:
        # when
        response = await browser.options(
            "/graphql", headers={**PREFLIGHT, "Origin": "https://evil.example"}
        )

    # then
    assert "access-control-allow-origin" not in response.headers


async def test_no_origin_is_allowed_by_default(client):
    # when
    preflight = await client.options("/graphql", headers=PREFLIGHT)
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": WIDGET}
    )

    # then
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in response.headers


async def test_answers_with_personal_data_are_never_stored(client):
    # given
    person = await create_person(client)

    # when
    read = await client.post(
        "/graphql",
        json={"query": READ, "variables": {"id": person.id}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    export = await client.post("/graphql", json={"query": EXPORT, "variables": {"id": person.id}})
    by_get = await client.get("/graphql", params={"query": "{ __typename }"})
    refused = await client.post("/graphql", json={"query": "{ nope }"})

    # then
    assert assert_no_errors(read.json())["customer"]["emails"]
    assert assert_no_errors(export.json())["exportCustomerData"]["document"]
    for response in (read, export, by_get, refused):
        assert response.headers["cache-control"] == "no-store"


def test_the_setting_reads_a_json_list_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("C360_CORS_ALLOWED_ORIGINS", f'["{WIDGET}", "https://app.example.com"]')

    # when
    parsed = Settings()

    # then
    assert parsed.cors_allowed_origins == [WIDGET, "https://app.example.com"]
