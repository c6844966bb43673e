"""Each connector-backed Customer field, through GraphQL over HTTP, against the simulators."""

from __future__ import annotations

from tests.graphql_client import assert_no_errors, create_customer, error_codes, global_id, gql
from tests.sources.conftest import SYSTEMS, linked_to_all

EVERYTHING = """
query Everything($id: ID!) {
  customer(id: $id) {
    orders(first: 2) {
      totalCount
      edges {
        cursor
        node { system externalId number orderedAt amountTotal lines { productName total } }
      }
      pageInfo { hasNextPage endCursor }
    }
    invoices { number amountTotal amountDue }
    crm {
      system externalId lifecycleStage ownerId email
      emailEngagement { delivered opens clicks }
    }
    tickets { status subject createdAt }
    openTickets: tickets(status: OPEN) { status }
    surveyResponses(first: 1) { totalCount edges { node { nps submittedAt surveyTitle } } }
    sources { system status latencyMs fetchedAt }
  }
}
"""

ORDERS_AFTER = """
query Orders($id: ID!, $after: String) {
  customer(id: $id) {
    orders(first: 2, after: $after) {
      edges { node { externalId } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

ALL_ORDERS = """
query Orders($id: ID!) {
  customer(id: $id) { orders(first: 100) { edges { node { externalId } } } }
}
"""
CRM_EMAIL = "query Crm($id: ID!) { customer(id: $id) { crm { email } } }"
SOURCES = "query Sources($id: ID!) { customer(id: $id) { sources { system status } } }"


async def test_every_source_field_resolves_for_a_customer_linked_everywhere(start_gateway, world):
    # given
    customer_id = linked_to_all(world)[0]

    # when
    async with start_gateway() as gateway:
        body = await gql(gateway.client, EVERYTHING, {"id": global_id("Customer", customer_id)})

    # then
    customer = assert_no_errors(body)["customer"]
    orders = customer["orders"]
    assert orders["totalCount"] >= len(orders["edges"])
    dates = [edge["node"]["orderedAt"] for edge in orders["edges"]]
    assert dates == sorted(dates, reverse=True)
    assert all(edge["node"]["system"] == "odoo" for edge in orders["edges"])
    assert customer["crm"]["system"] == "hubspot"
    assert "@" in customer["crm"]["email"]
    assert {t["status"] for t in customer["openTickets"]} <= {"OPEN"}
    assert customer["surveyResponses"]["totalCount"] >= len(customer["surveyResponses"]["edges"])
    assert [s["system"] for s in customer["sources"]] == list(SYSTEMS)
    for source in customer["sources"]:
        assert source["status"] == "OK"
        assert source["latencyMs"] is not None
        assert source["fetchedAt"] is not None


async def test_orders_are_cursor_paginated_newest_first(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])

    # when
    async with start_gateway() as gateway:
        full = await gql(gateway.client, ALL_ORDERS, {"id": node})
        paged: list[str] = []
        after = None
        while True:
            body = await gql(gateway.client, ORDERS_AFTER, {"id": node, "after": after})
            page = assert_no_errors(body)["customer"]["orders"]
            paged.extend(edge["node"]["externalId"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]

    # then
    everything = assert_no_errors(full)["customer"]["orders"]["edges"]
    assert paged == [edge["node"]["externalId"] for edge in everything]


async def test_a_customer_linked_nowhere_has_empty_source_fields_and_no_errors(start_gateway):
    # given
    async with start_gateway() as gateway:
        created = await create_customer(gateway.client, givenName="Nobody")

        # when
        body = await gql(gateway.client, EVERYTHING, {"id": created["id"]})

    # then
    customer = assert_no_errors(body)["customer"]
    assert customer["orders"]["edges"] == []
    assert customer["crm"] is None
    assert customer["tickets"] == []
    assert {s["status"] for s in customer["sources"]} == {"NOT_LINKED"}
    assert all(gateway.sources.requests(system) == 0 for system in SYSTEMS)


async def test_without_a_connectors_file_linked_sources_report_a_clean_error(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])

    # when
    async with start_gateway(with_connectors=False) as gateway:
        body = await gql(gateway.client, SOURCES, {"id": node})
        crm = await gql(gateway.client, CRM_EMAIL, {"id": node})

    # then
    assert {s["status"] for s in assert_no_errors(body)["customer"]["sources"]} == {"ERROR"}
    assert crm["data"]["customer"]["crm"] is None
    assert error_codes(crm) == ["SOURCE_UNAVAILABLE"]
    assert crm["errors"][0]["extensions"]["source"] == "hubspot"


async def test_crm_email_is_personal_data_masked_for_an_analyst(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])
    async with start_gateway() as gateway:
        headers = await gateway.headers_for("analyst", "analytics")

        # when
        raw = await gql(gateway.client, CRM_EMAIL, {"id": node})
        masked = await gql(gateway.client, CRM_EMAIL, {"id": node}, headers=headers)

    # then
    raw_email = assert_no_errors(raw)["customer"]["crm"]["email"]
    masked_email = assert_no_errors(masked)["customer"]["crm"]["email"]
    assert "***" in masked_email
    assert masked_email != raw_email
