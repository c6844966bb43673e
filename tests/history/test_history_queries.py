"""Reading the history: pages, the record as of a time, past values, masking, bad input, export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.privacy.principals import Purpose, Role
from app.store.models import AuditEvent, CustomerChange
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.history.test_write_paths import ADD_POINT, REMOVE_POINT, UPDATE, history

PAGE = """
query Page($id: ID!, $first: Int, $after: String, $fields: [String!], $from: DateTime,
           $to: DateTime) {
  customer(id: $id) {
    history(first: $first, after: $after, fields: $fields, from: $from, to: $to) {
      edges { cursor node { field action newValue } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
AS_OF = """
query AsOf($id: ID!, $at: DateTime!) {
  customer(id: $id) {
    familyName
    asOf(at: $at) {
      at familyName emails { address } addresses { formatted }
      identities { system externalId } consents { purpose channel state }
      preferences { topics }
    }
  }
}
"""
PAST = """
query Past($id: ID!) {
  customer(id: $id) {
    emails(includePast: true) { address validFrom validTo }
    addresses(includePast: true) { formatted validFrom validTo }
  }
}
"""
MY_HISTORY = "{ me { history(first: 10) { edges { node { field oldValue newValue } } } } }"
EXPORT = "query Export($id: ID!) { exportCustomerData(customerId: $id) { document } }"
ERASE = "mutation Erase($id: ID!) { eraseCustomer(customerId: $id) { complete } }"
CONSENT = """
mutation Consent($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""
ADDRESS = {"street": "1 High Street", "city": "Leeds", "postcode": "LS1 4AP", "country": "GB"}


def _now() -> datetime:
    return datetime.now(UTC)


async def _moved_customer(client) -> tuple[dict, datetime]:
    """Ada Byron, who then married (King), changed email and moved; the time in between."""
    created = await create_customer(
        client,
        givenName="Ada",
        familyName="Byron",
        emails=["ada@old.example"],
        addresses=[ADDRESS],
    )
    await gql(
        client,
        CONSENT,
        {
            "input": {
                "customerId": created["id"],
                "purpose": "MARKETING",
                "channel": "EMAIL",
                "status": "GRANTED",
            }
        },
    )
    before = _now()
    update = {"id": created["id"], "version": created["version"], "familyName": "King"}
    assert_no_errors(await gql(client, UPDATE, {"input": update}))
    added = await gql(
        client,
        ADD_POINT,
        {"input": {"customerId": created["id"], "kind": "EMAIL", "value": "ada@new.example"}},
    )
    body = assert_no_errors(added)["addContactPoint"]
    old_email = next(e for e in body["emails"] if e["address"] == "ada@old.example")
    assert_no_errors(await gql(client, REMOVE_POINT, {"id": old_email["id"]}))
    new_address = {**ADDRESS, "street": "9 Park Road", "city": "York", "postcode": "YO1 7HH"}
    moved = await gql(
        client,
        ADD_POINT,
        {"input": {"customerId": created["id"], "kind": "ADDRESS", "address": new_address}},
    )
    addresses = assert_no_errors(moved)["addContactPoint"]["addresses"]
    old_address = next(a for a in addresses if "High Street" in a["formatted"])
    assert_no_errors(await gql(client, REMOVE_POINT, {"id": old_address["id"]}))
    return created, before


async def test_as_of_answers_the_record_as_it_stood_then(client):
    # given
    created, before = await _moved_customer(client)

    # when
    then = assert_no_errors(
        await gql(client, AS_OF, {"id": created["id"], "at": before.isoformat()})
    )
    now = assert_no_errors(
        await gql(client, AS_OF, {"id": created["id"], "at": _now().isoformat()})
    )

    # then
    was = then["customer"]["asOf"]
    assert then["customer"]["familyName"] == "King"
    assert was["familyName"] == "Byron"
    assert [e["address"] for e in was["emails"]] == ["ada@old.example"]
    assert [a["formatted"] for a in was["addresses"]] == ["1 High Street, LS1 4AP, Leeds, GB"]
    assert was["consents"] == [{"purpose": "marketing", "channel": "email", "state": "GRANTED"}]
    current = now["customer"]["asOf"]
    assert current["familyName"] == "King"
    assert [e["address"] for e in current["emails"]] == ["ada@new.example"]
    assert [a["formatted"] for a in current["addresses"]] == ["9 Park Road, YO1 7HH, York, GB"]


async def test_include_past_lists_values_no_longer_current_with_their_validity(client):
    # given
    created, _ = await _moved_customer(client)

    # when
    found = assert_no_errors(await gql(client, PAST, {"id": created["id"]}))["customer"]

    # then
    emails = {e["address"]: e for e in found["emails"]}
    assert set(emails) == {"ada@old.example", "ada@new.example"}
    assert emails["ada@old.example"]["validTo"] is not None
    assert emails["ada@new.example"]["validTo"] is None
    assert emails["ada@old.example"]["validTo"] >= emails["ada@new.example"]["validFrom"]
    past = [a for a in found["addresses"] if a["validTo"] is not None]
    assert [a["formatted"] for a in past] == ["1 High Street, LS1 4AP, Leeds, GB"]


async def test_history_pages_newest_first_and_filters_by_field_and_time(client):
    # given
    created, before = await _moved_customer(client)

    # when
    first = assert_no_errors(await gql(client, PAGE, {"id": created["id"], "first": 2}))
    page = first["customer"]["history"]
    after = page["pageInfo"]["endCursor"]
    second = assert_no_errors(
        await gql(client, PAGE, {"id": created["id"], "first": 50, "after": after})
    )
    emails = assert_no_errors(
        await gql(
            client,
            PAGE,
            {"id": created["id"], "fields": ["email"], "from": before.isoformat()},
        )
    )

    # then
    assert page["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["field"] for e in page["edges"]] == ["address", "address"]
    rest = second["customer"]["history"]["edges"]
    assert rest and all(e["cursor"] not in {p["cursor"] for p in page["edges"]} for e in rest)
    actions = [e["node"]["action"] for e in emails["customer"]["history"]["edges"]]
    assert actions == ["REMOVED", "ADDED"]


@pytest.mark.parametrize(
    "variables",
    [
        {"fields": ["shoeSize"]},
        {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"first": 101},
        {"from": "2026-01-02T00:00:00"},
        {"after": "not-a-cursor"},
    ],
)
async def test_bad_history_arguments_are_bad_user_input(client, variables):
    created = await create_customer(client, givenName="Ada")
    body = await gql(client, PAGE, {"id": created["id"], **variables})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_as_of_in_the_future_or_before_the_customer_existed_is_bad_user_input(client):
    created = await create_customer(client, givenName="Ada")
    for at in (_now() + timedelta(days=1), _now() - timedelta(days=1)):
        body = await gql(client, AS_OF, {"id": created["id"], "at": at.isoformat()})
        assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_an_analyst_sees_old_values_masked_and_told_why(client, client_for):
    # given
    created, before = await _moved_customer(client)
    analyst = await client_for(Role.ANALYST, Purpose.ANALYTICS)

    # when
    body = await gql(analyst, PAGE, {"id": created["id"], "fields": ["email", "familyName"]})
    as_of = await gql(analyst, AS_OF, {"id": created["id"], "at": before.isoformat()})

    # then
    values = {e["node"]["newValue"] for e in assert_no_errors(body)["customer"]["history"]["edges"]}
    assert "ada@new.example" not in values and "King" not in values
    assert {"a***@new.example", "K."} <= values
    redacted = {f for r in body["extensions"]["redactions"] for f in r["fields"]}
    assert "CustomerChange.newValue" in redacted
    was = assert_no_errors(as_of)["customer"]["asOf"]
    assert was["familyName"] == "B."
    assert was["emails"] == [{"address": "a***@old.example"}]


async def test_a_customer_reads_their_own_history_through_me(gateway, client):
    # given
    created, _ = await _moved_customer(client)
    me = gateway.new_client(
        await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, node_id(created["id"]))
    )

    # when
    async with me:
        body = assert_no_errors(await gql(me, MY_HISTORY))

    # then
    values = {e["node"]["oldValue"] for e in body["me"]["history"]["edges"]}
    assert "ada@old.example" in values


async def test_the_export_holds_the_history_and_erasure_deletes_it(client, db):
    # given
    created, _ = await _moved_customer(client)

    # when
    export = assert_no_errors(await gql(client, EXPORT, {"id": created["id"]}))
    assert_no_errors(await gql(client, ERASE, {"id": created["id"]}))

    # then
    entries = export["exportCustomerData"]["document"]["master_store"]["history"]
    assert {"family_name", "email", "address"} <= {e["field"] for e in entries}
    assert await history_rows(db, node_id(created["id"])) == 0


async def history_rows(db, customer_id: str) -> int:
    async with db.session() as session:
        statement = select(func.count()).where(CustomerChange.customer_id == customer_id)
        return int(await session.scalar(statement) or 0)


async def test_history_is_audited_as_a_personal_data_read(client, client_for, db):
    created = await create_customer(client, givenName="Ada", emails=["ada@example.com"])
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert await history(agent, created["id"])
    async with db.session() as session:
        rows = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.customer_id == node_id(created["id"]), AuditEvent.action == "read"
                )
            )
        )
    assert any("CustomerChange.newValue" in row.fields for row in rows)


async def test_history_pages_count_against_the_cost_limit(client):
    query = """
    { customers(first: 100) { edges { node {
        history(first: 100) { edges { node { field oldValue newValue changedAt } } }
    } } } }
    """
    assert error_codes(await gql(client, query)) == ["QUERY_TOO_COMPLEX"]
