"""An argument error on one field meeting sibling fields: the request's session outlives every
read, the error stays that field's, and a committed mutation is never answered "retry later"."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

import app.store.repositories.contact_points
from tests.graphql_client import GRAPHQL_RESPONSE, error_codes, gql

CUSTOMER_WITH_BAD_TIMELINE = """
query($id: ID!) {
  customer(id: $id) { emails { address } interactions(first: 0) { edges { cursor } } }
}
"""
# `customers` is non-null: its error nulls `data`, so graphql-core cancels the pending sibling.
CUSTOMER_BESIDE_BAD_PAGE = """
query($id: ID!) {
  customer(id: $id) { emails { address } }
  customers(first: 0) { totalCount }
}
"""
CREATE_WITH_BAD_TIMELINE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    id emails { address } interactions(first: 0) { edges { cursor } }
  }
}
"""
TOTAL = "{ customers { totalCount } }"


async def _post(client, query: str, variables: dict[str, Any]):
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"accept": GRAPHQL_RESPONSE},
    )


async def _customer(client) -> str:
    body = await gql(
        client,
        "mutation($e: String!) { createCustomer(input: {emails: [$e]}) { id } }",
        {"e": "jane.doe@example.com"},
    )
    return body["data"]["createCustomer"]["id"]


@pytest.fixture
def slow_contact_points(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Contact-point reads take 300 ms; the list records each one's start and end."""
    events: list[str] = []
    real = app.store.repositories.contact_points.contact_points_by_customer

    async def slow(session: Any, **kwargs: Any) -> Any:
        events.append("started")
        await asyncio.sleep(0.3)
        rows = await real(session, **kwargs)
        events.append("finished")
        return rows

    monkeypatch.setattr(app.store.repositories.contact_points, "contact_points_by_customer", slow)
    return events


async def test_a_request_answers_only_after_its_reads_are_over(client, slow_contact_points):
    # given
    customer = await _customer(client)

    # when: the slow read of a sibling is still running when the argument error ends execution
    response = await _post(client, CUSTOMER_BESIDE_BAD_PAGE, {"id": customer})

    # then: a clean field error, given once the session is no longer in use
    assert response.status_code == 200
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert slow_contact_points in ([], ["started", "finished"])


async def test_an_argument_error_is_that_fields_error_only(client):
    # given
    customer = await _customer(client)

    # when
    body = await gql(client, CUSTOMER_WITH_BAD_TIMELINE, {"id": customer})

    # then: the customer and its other fields are still there
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["customer", "interactions"]
    assert body["data"] == {
        "customer": {"emails": [{"address": "jane.doe@example.com"}], "interactions": None}
    }


@pytest.mark.parametrize("query", [CUSTOMER_WITH_BAD_TIMELINE, CUSTOMER_BESIDE_BAD_PAGE])
async def test_argument_errors_beside_reads_never_get_retry_later(client, query):
    # given
    customer = await _customer(client)
    answers: Counter[tuple[int, tuple[str, ...]]] = Counter()

    async def repeat() -> None:
        for _ in range(30):
            response = await _post(client, query, {"id": customer})
            answers[response.status_code, tuple(error_codes(response.json()))] += 1

    # when: 4 clients, 30 times each (on main: 503 "retry later" for 1 in 30 up to 1 in 2)
    await asyncio.gather(*(repeat() for _ in range(4)))

    # then
    assert answers == {(200, ("BAD_USER_INPUT",)): 120}


async def test_a_mutation_with_an_argument_error_below_it_returns_what_it_created(client):
    # when
    body = await gql(client, CREATE_WITH_BAD_TIMELINE, {"input": {"emails": ["jo@example.com"]}})

    # then: the client learns the id of what was created, and nothing asks it to retry
    assert error_codes(body) == ["BAD_USER_INPUT"]
    created = body["data"]["createCustomer"]
    assert created["id"] and created["emails"] == [{"address": "jo@example.com"}]
    assert (await gql(client, TOTAL))["data"]["customers"]["totalCount"] == 1


async def test_a_committed_mutation_is_never_answered_retry_later(client, monkeypatch):
    # given: the audit of the personal data the mutation returns cannot be written
    async def broken(*_args: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("schema.context.write_request_audit", broken)

    # when
    response = await _post(client, CREATE_WITH_BAD_TIMELINE, {"input": {"emails": ["a@b.org"]}})

    # then: the data is withheld, but the client is told the write happened, not to retry
    assert response.status_code == 500
    assert "retry-after" not in response.headers
    assert error_codes(response.json()) == ["INTERNAL"]
    assert "do not send it again" in response.json()["errors"][0]["message"]
    assert "a@b.org" not in response.text
    monkeypatch.undo()
    assert (await gql(client, TOTAL))["data"]["customers"]["totalCount"] == 1
