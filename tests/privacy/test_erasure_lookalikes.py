"""Erasure reports live customers that held the erased person's identifiers (issue 16, item 2).

A housemate's phone, or the same person under a second record: erasure says so (ids and
identifier kinds only) and queues each for a steward, who dismisses it or erases it too.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from app.privacy.principals import Purpose, Role
from composition.cli import app
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.privacy.people import JANE_EMAIL, JANE_PHONE, create_john, create_person

ERASE = """
mutation($id: ID!) {
  eraseCustomer(customerId: $id) {
    customer complete
    lookalikes { id erasedCustomer customer identifierKinds status }
  }
}
"""
QUEUE = """
query($first: Int, $after: String) {
  erasureLookalikes(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id customer identifierKinds status } }
  }
}
"""
DISMISS = """
mutation($id: ID!) {
  dismissErasureLookalike(id: $id) { id status decidedBy decidedAt }
}
"""
EXPORT = "query($id: ID!) { exportCustomerData(customerId: $id) { document } }"
LEEDS = {"street": "1 Acacia Avenue", "city": "Leeds", "postcode": "LS1 4AP", "country": "GB"}


async def _household(client) -> dict[str, str]:
    """Jane, a second record of her (same email), a housemate (same phone), a neighbour at
    her address, and John who shares nothing; their global ids."""
    jane = await create_person(client)
    second = await create_customer(client, givenName="J.", familyName="Doe", emails=[JANE_EMAIL])
    housemate = await create_customer(client, givenName="Tom", phones=["07911 123456"])
    neighbour = await create_customer(client, givenName="Ann", addresses=[LEEDS])
    john = await create_john(client)
    return {
        "jane": jane.id,
        "second": second["id"],
        "housemate": housemate["id"],
        "neighbour": neighbour["id"],
        "john": john.id,
    }


async def test_erasure_reports_and_queues_the_live_records_that_held_the_same_identifiers(client):
    # given
    people = await _household(client)

    # when
    erasure = assert_no_errors(await gql(client, ERASE, {"id": people["jane"]}))["eraseCustomer"]

    # then: the second record and the housemate are reported (an address is no identifier)
    found = {(item["customer"], tuple(item["identifierKinds"])) for item in erasure["lookalikes"]}
    assert found == {(people["second"], ("EMAIL",)), (people["housemate"], ("PHONE",))}
    assert {item["erasedCustomer"] for item in erasure["lookalikes"]} == {people["jane"]}
    assert {item["status"] for item in erasure["lookalikes"]} == {"PENDING"}
    # with ids and kinds only
    text = json.dumps(erasure)
    for value in (JANE_EMAIL, JANE_PHONE, "Jane", "Doe", "Tom"):
        assert value not in text
    # and a second call reports the same
    again = assert_no_errors(await gql(client, ERASE, {"id": people["jane"]}))["eraseCustomer"]
    assert again == erasure


async def test_the_lookalikes_data_export_shows_the_flag_without_the_erased_persons_id(client):
    # given
    people = await _household(client)
    assert_no_errors(await gql(client, ERASE, {"id": people["jane"]}))

    # when
    export = assert_no_errors(await gql(client, EXPORT, {"id": people["housemate"]}))

    # then
    (entry,) = export["exportCustomerData"]["document"]["master_store"]["erasure_lookalikes"]
    assert (entry["kinds"], entry["status"]) == (["phone"], "pending")
    assert node_id(people["jane"]) not in json.dumps(export)


async def test_a_steward_lists_dismisses_or_has_the_lookalike_erased(client, client_for):
    # given
    people = await _household(client)
    assert_no_errors(await gql(client, ERASE, {"id": people["jane"]}))
    steward = await client_for(Role.STEWARD, Purpose.STEWARDSHIP)

    # when: the steward pages through the queue
    first = assert_no_errors(await gql(steward, QUEUE, {"first": 1}))["erasureLookalikes"]
    cursor = first["pageInfo"]["endCursor"]
    rest = assert_no_errors(await gql(steward, QUEUE, {"first": 1, "after": cursor}))

    # then
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    nodes = [first["edges"][0]["node"], rest["erasureLookalikes"]["edges"][0]["node"]]
    by_customer = {node["customer"]: node for node in nodes}
    assert set(by_customer) == {people["second"], people["housemate"]}

    # when: the housemate is someone else, and the second record is Jane: erased too
    dismissed = await gql(steward, DISMISS, {"id": by_customer[people["housemate"]]["id"]})
    twice = await gql(steward, DISMISS, {"id": by_customer[people["housemate"]]["id"]})
    assert_no_errors(await gql(client, ERASE, {"id": people["second"]}))

    # then: the queue is empty, and the housemate's entry says who dismissed it
    node = assert_no_errors(dismissed)["dismissErasureLookalike"]
    assert node["status"] == "DISMISSED" and node["decidedBy"] and node["decidedAt"]
    assert error_codes(twice) == ["CONFLICT"]
    after = assert_no_errors(await gql(steward, QUEUE))["erasureLookalikes"]
    assert after["totalCount"] == 0 and after["edges"] == []


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.ANALYST, Role.PERSONALIZATION])
async def test_only_stewards_and_admins_review_lookalikes(client, client_for, role):
    # given
    people = await _household(client)
    erasure = assert_no_errors(await gql(client, ERASE, {"id": people["jane"]}))
    lookalike = erasure["eraseCustomer"]["lookalikes"][0]["id"]
    caller = await client_for(role, Purpose.SUPPORT if role is Role.SUPPORT_AGENT else "analytics")

    # when
    listed = await gql(caller, QUEUE)
    dismissed = await gql(caller, DISMISS, {"id": lookalike})

    # then
    assert error_codes(listed) == ["FORBIDDEN"]
    assert error_codes(dismissed) == ["FORBIDDEN"]


async def test_dsar_erase_prints_the_lookalikes_by_id_and_kind(client, monkeypatch, database_url):
    # given
    people = await _household(client)
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)

    # when
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["dsar", "erase", node_id(people["jane"])]
    )

    # then
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("look-alike")]
    assert len(lines) == 2, result.output
    assert any(node_id(people["second"]) in line and "email" in line for line in lines)
    assert any(node_id(people["housemate"]) in line and "phone" in line for line in lines)
    assert JANE_EMAIL not in result.output and JANE_PHONE not in result.output
