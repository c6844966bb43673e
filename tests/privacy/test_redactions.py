"""`extensions.redactions`: what was masked or withheld, for which customer, and why."""

from __future__ import annotations

from app.privacy.principals import Purpose, Role
from tests.graphql_client import assert_no_errors, error_codes, gql
from tests.privacy.people import create_john, create_person, record_consent

CUSTOMER = """
query($id: ID!) { customer(id: $id) { id segment familyName emails { address } } }
"""
NO_PII = "query($id: ID!) { customer(id: $id) { id segment } }"


async def test_masking_is_explained_with_reason_role(client, client_for):
    # given
    jane = await create_person(client)
    analyst = await client_for(Role.ANALYST, Purpose.ANALYTICS)

    # when
    body = await gql(analyst, CUSTOMER, {"id": jane.id})

    # then
    assert assert_no_errors(body)["customer"]["familyName"] == "D."
    assert body["extensions"]["redactions"] == [
        {
            "customerId": jane.id,
            "reason": "role",
            "fields": ["Customer.familyName", "EmailAddress.address"],
        }
    ]


async def test_a_consent_omission_is_explained_with_reason_consent(client, client_for):
    # given: Jane granted personalization, John did not
    jane = await create_person(client)
    john = await create_john(client)
    await record_consent(client, jane.id, "GRANTED")
    widget = await client_for(Role.PERSONALIZATION, Purpose.PERSONALIZATION)

    # when
    body = await gql(widget, NO_PII, {"id": john.id})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["CONSENT_REQUIRED"]
    assert body["extensions"]["redactions"] == [
        {"customerId": john.id, "reason": "consent", "fields": ["*"]}
    ]


async def test_raw_reads_carry_no_redactions(client, client_for):
    # given
    jane = await create_person(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)

    # when
    body = await gql(agent, CUSTOMER, {"id": jane.id})

    # then
    assert assert_no_errors(body)["customer"]["familyName"] == "Doe"
    assert "redactions" not in body.get("extensions", {})


async def test_redactions_name_each_customer_separately(client, client_for):
    # given
    jane = await create_person(client)
    john = await create_john(client)
    analyst = await client_for(Role.ANALYST, Purpose.ANALYTICS)
    query = "query { customers { edges { node { familyName } } } }"

    # when
    body = await gql(analyst, query)

    # then
    assert_no_errors(body)
    assert sorted(entry["customerId"] for entry in body["extensions"]["redactions"]) == sorted(
        [jane.id, john.id]
    )
    assert {entry["reason"] for entry in body["extensions"]["redactions"]} == {"role"}
