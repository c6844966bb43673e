"""Every write path through the public interface appends its changes to the customer's history."""

from __future__ import annotations

from typing import Any

import httpx

from app.privacy.principals import Purpose, Role
from tests.conftest import Gateway
from tests.graphql_client import assert_no_errors, create_customer, gql, node_id

HISTORY = """
query History($id: ID!, $fields: [String!]) {
  customer(id: $id) {
    history(fields: $fields, first: 50) {
      edges { node {
        field action oldValue newValue source rule principal requestId changedAt recordedAt
      } }
      pageInfo { hasNextPage }
    }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateCustomerInput!) { updateCustomer(input: $input) { id version } }
"""
ADD_POINT = """
mutation Add($input: AddContactPointInput!) {
  addContactPoint(input: $input) { emails { id address } addresses { id formatted } }
}
"""
REMOVE_POINT = "mutation Remove($id: ID!) { removeContactPoint(id: $id) { id } }"
SET_PREFERENCES = """
mutation Prefs($input: SetPreferencesInput!) { setPreferences(input: $input) { topics } }
"""
LINK = """
mutation Link($input: LinkSourceIdentityInput!) { linkSourceIdentity(input: $input) { id } }
"""
UPDATE_ME = """
mutation Me($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { version } }
"""
SET_MY_PREFERENCES = """
mutation MyPrefs($input: PreferencesInput!) { setMyPreferences(input: $input) { topics } }
"""
MERGE = """
mutation Merge($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }
"""
UNMERGE = "mutation Unmerge($id: ID!) { unmergeCustomer(id: $id) { restored { id } } }"


async def history(
    client: httpx.AsyncClient, customer_id: str, fields: list[str] | None = None
) -> list[dict[str, Any]]:
    """The customer's history entries, newest first."""
    body = await gql(client, HISTORY, {"id": customer_id, "fields": fields})
    return [edge["node"] for edge in assert_no_errors(body)["customer"]["history"]["edges"]]


def entry(entries: list[dict[str, Any]], field: str, action: str) -> dict[str, Any]:
    found = [e for e in entries if e["field"] == field and e["action"] == action]
    assert found, f"no {action} {field} entry in {entries}"
    return found[0]


async def test_create_customer_records_each_field_and_contact_point(client):
    # when
    created = await create_customer(
        client, givenName="Ada", familyName="Lovelace", emails=["ada@example.com"]
    )

    # then
    entries = await history(client, created["id"])
    assert entry(entries, "givenName", "SET")["newValue"] == "Ada"
    assert entry(entries, "familyName", "SET")["oldValue"] is None
    added = entry(entries, "email", "ADDED")
    assert added["newValue"] == "ada@example.com"
    assert added["source"] == "gateway"


async def test_update_customer_records_old_and_new_with_principal_and_request(client):
    # given
    created = await create_customer(client, givenName="Ada", familyName="Byron")

    # when
    response = await client.post(
        "/graphql",
        json={
            "query": UPDATE,
            "variables": {
                "input": {"id": created["id"], "version": created["version"], "familyName": "King"}
            },
        },
    )
    assert "errors" not in response.json()

    # then
    changed = entry(await history(client, created["id"], ["familyName"]), "familyName", "SET")
    assert (changed["oldValue"], changed["newValue"]) == ("Byron", "King")
    assert changed["rule"] == "direct_edit"
    assert changed["requestId"] == response.headers["x-request-id"]
    assert changed["principal"] not in ("", "system")


async def test_contact_points_added_and_removed_are_recorded(client):
    # given
    created = await create_customer(client, givenName="Ada", emails=["ada@example.com"])
    body = await gql(
        client,
        ADD_POINT,
        {"input": {"customerId": created["id"], "kind": "EMAIL", "value": "ada@new.example"}},
    )
    emails = assert_no_errors(body)["addContactPoint"]["emails"]
    old = next(e for e in emails if e["address"] == "ada@example.com")

    # when
    assert_no_errors(await gql(client, REMOVE_POINT, {"id": old["id"]}))

    # then
    entries = await history(client, created["id"], ["email"])
    assert entry(entries, "email", "ADDED")["newValue"] == "ada@new.example"
    assert entry(entries, "email", "REMOVED")["oldValue"] == "ada@example.com"
    assert entries[0]["action"] == "REMOVED"  # newest first


async def test_preferences_and_identity_links_are_recorded(client):
    # given
    created = await create_customer(client, givenName="Ada")

    # when
    await gql(
        client,
        SET_PREFERENCES,
        {"input": {"customerId": created["id"], "topics": ["Engines"], "frequency": "weekly"}},
    )
    await gql(
        client,
        LINK,
        {"input": {"customerId": created["id"], "system": "odoo", "externalId": "res.partner/7"}},
    )

    # then
    entries = await history(client, created["id"])
    assert entry(entries, "preferences.topics", "SET")["newValue"] == "engines"
    assert entry(entries, "preferences.frequency", "SET")["newValue"] == "weekly"
    assert entry(entries, "identity", "LINKED")["newValue"] == "odoo:res.partner/7"


async def test_self_service_changes_are_recorded_as_self_service(gateway: Gateway, client):
    # given
    created = await create_customer(client, givenName="Ada", familyName="Byron")
    me = gateway.new_client(
        await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, node_id(created["id"]))
    )

    # when
    async with me:
        assert_no_errors(
            await gql(
                me, UPDATE_ME, {"input": {"version": created["version"], "familyName": "King"}}
            )
        )
        assert_no_errors(await gql(me, SET_MY_PREFERENCES, {"input": {"topics": ["maths"]}}))

    # then
    entries = await history(client, created["id"])
    assert entry(entries, "familyName", "SET")["source"] == "self_service"
    assert entry(entries, "preferences.topics", "SET")["source"] == "self_service"


async def test_merge_and_unmerge_are_recorded_on_the_survivor(client):
    # given
    survivor = await create_customer(client, givenName="Ada", emails=["ada@example.com"])
    merged = await create_customer(client, givenName="Ada", emails=["ada@work.example"])

    # when
    assert_no_errors(await gql(client, MERGE, {"s": survivor["id"], "m": merged["id"]}))
    after_merge = await history(client, survivor["id"])
    assert_no_errors(await gql(client, UNMERGE, {"id": merged["id"]}))
    after_unmerge = await history(client, survivor["id"])

    # then
    assert entry(after_merge, "merge", "MERGED")["newValue"] == node_id(merged["id"])
    moved = entry(after_merge, "email", "ADDED")
    assert (moved["newValue"], moved["source"]) == ("ada@work.example", "merge")
    assert entry(after_unmerge, "merge", "UNMERGED")["oldValue"] == node_id(merged["id"])
    assert entry(after_unmerge, "email", "REMOVED")["oldValue"] == "ada@work.example"


async def test_a_new_loyalty_id_unlinks_the_old_card_and_links_the_new(client):
    # given
    created = await create_customer(client, givenName="Ada", loyaltyId="LOY-1")

    # when
    update = {"id": created["id"], "version": created["version"], "loyaltyId": "LOY-2"}
    assert_no_errors(await gql(client, UPDATE, {"input": update}))

    # then
    entries = await history(client, created["id"], ["identity", "loyaltyId"])
    assert entry(entries, "identity", "UNLINKED")["oldValue"] == "loyalty:LOY-1"
    linked = [e["newValue"] for e in entries if e["action"] == "LINKED"]
    assert linked == ["loyalty:LOY-2", "loyalty:LOY-1"]
    newest = entry(entries, "loyaltyId", "SET")
    assert (newest["oldValue"], newest["newValue"]) == ("LOY-1", "LOY-2")


SET_ACQUISITION = """
mutation Set($input: SetAcquisitionInput!) { setAcquisition(input: $input) { channel } }
"""


async def test_set_acquisition_records_what_it_changes(client):
    # given a customer whose acquisition a person set once
    created = await create_customer(client, givenName="Ada", familyName="Lovelace")
    first = {"customerId": created["id"], "acquiredAt": "2026-01-05T10:00:00+00:00"}
    await gql(client, SET_ACQUISITION, {"input": {**first, "channel": "email", "source": "crm"}})

    # when the channel is corrected
    body = await gql(
        client, SET_ACQUISITION, {"input": {**first, "channel": "paid_search", "source": "crm"}}
    )
    assert_no_errors(body)

    # then the history holds both values of the channel, and the date only once
    fields = ["acquiredAt", "acquisitionChannel", "acquisitionCampaign"]
    entries = await history(client, created["id"], fields)
    channel = [e for e in entries if e["field"] == "acquisitionChannel"]
    assert [(e["oldValue"], e["newValue"]) for e in channel] == [
        ("email", "paid_search"),
        (None, "email"),
    ]
    assert channel[0]["source"] == "crm" and channel[0]["rule"] == "direct_edit"
    assert len([e for e in entries if e["field"] == "acquiredAt"]) == 1
    assert not [e for e in entries if e["field"] == "acquisitionCampaign"]
