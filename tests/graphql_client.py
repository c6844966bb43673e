"""Small helpers for sending GraphQL over HTTP in tests."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry import relay

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST an operation and return the decoded body (status must be 200 or 400)."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"accept": GRAPHQL_RESPONSE, **(headers or {})},
    )
    assert response.status_code in (200, 400), response.text
    return response.json()


def assert_no_errors(body: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_codes(body: dict[str, Any]) -> list[str]:
    """The `extensions.code` of each error of a response."""
    return [error["extensions"]["code"] for error in body.get("errors", [])]


CREATE_CUSTOMER = """
mutation CreateCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) { id version }
}
"""


async def create_customer(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """Create a customer through GraphQL; returns its `id` (global) and `version`."""
    body = await gql(client, CREATE_CUSTOMER, {"input": fields})
    return assert_no_errors(body)["createCustomer"]


def global_id(type_name: str, node_id: object) -> str:
    """The opaque global id of a node (what the API hands out)."""
    return str(relay.GlobalID(type_name, str(node_id)))


def node_id(global_id_: str) -> str:
    """The store id inside a global id."""
    return relay.GlobalID.from_id(global_id_).node_id
