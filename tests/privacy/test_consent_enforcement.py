"""RELIABILITY 14: consent-gated purposes see only customers whose consent holds now."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.privacy.principals import Purpose, Role
from tests.graphql_client import assert_no_errors, error_codes, gql
from tests.privacy.people import Person, create_john, create_person, record_consent
from tests.schema.rows import at, insert_consents

CUSTOMER = "query($id: ID!) { customer(id: $id) { id emails { address } } }"
CUSTOMERS = "query { customers(first: 100) { totalCount edges { node { id } } } }"
AUDIENCE = """
query($purpose: ConsentPurpose!, $channel: ConsentChannel) {
  customers(first: 100, filter: {consentedTo: {purpose: $purpose, channel: $channel}}) {
    totalCount edges { node { id } }
  }
}
"""
SET_MY_CONSENT = """
mutation($input: MyConsentInput!) { setMyConsent(input: $input) { state granted } }
"""
# The gated purposes, each with a role that acts for it and the consent purpose it needs.
GATED = [
    pytest.param(Role.PERSONALIZATION, Purpose.PERSONALIZATION, "PERSONALIZATION", id="perso"),
    pytest.param(Role.ANALYST, Purpose.MARKETING, "MARKETING", id="marketing"),
]


def _ids(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in assert_no_errors(body)["customers"]["edges"]]


async def _in_state(client: httpx.AsyncClient, db: Any, state: str, consent: str) -> Person:
    """A customer whose `consent` is in `state` (granted, withdrawn, denied, expired, never)."""
    person = await create_person(client, email=f"{state}@example.com", loyalty_id=state)
    if state in ("GRANTED", "WITHDRAWN", "DENIED"):
        await record_consent(client, person.id, "GRANTED", purpose=consent)
        if state != "GRANTED":
            await record_consent(client, person.id, state, purpose=consent)
    elif state == "EXPIRED":
        # Granted for a month two years ago: the ledger cannot be given a past expiry by API.
        await insert_consents(
            db,
            person.store_id,
            {
                "purpose": consent.lower(),
                "channel": "email",
                "status": "granted",
                "captured_at": at(0),
                "expires_at": at(30),
            },
        )
    return person


STATES = ["GRANTED", "WITHDRAWN", "DENIED", "EXPIRED", "NEVER"]


@pytest.mark.parametrize(("role", "purpose", "consent"), GATED)
async def test_reliability_14_a_single_lookup_needs_consent_that_holds_now(
    client, client_for, db, role, purpose, consent
):
    # given
    people = {state: await _in_state(client, db, state, consent) for state in STATES}
    caller = await client_for(role, purpose)

    # when
    bodies = {
        state: await gql(caller, CUSTOMER, {"id": person.id}) for state, person in people.items()
    }

    # then
    assert assert_no_errors(bodies["GRANTED"])["customer"]["id"] == people["GRANTED"].id
    for state in STATES[1:]:
        assert bodies[state]["data"] == {"customer": None}, state
        assert error_codes(bodies[state]) == ["CONSENT_REQUIRED"], state
        assert bodies[state]["errors"][0]["extensions"]["purpose"] == consent.lower()


@pytest.mark.parametrize(("role", "purpose", "consent"), GATED)
async def test_reliability_14_lists_exclude_customers_without_consent(
    client, client_for, db, role, purpose, consent
):
    # given
    people = {state: await _in_state(client, db, state, consent) for state in STATES}
    caller = await client_for(role, purpose)

    # when
    body = await gql(caller, CUSTOMERS)

    # then
    assert _ids(body) == [people["GRANTED"].id]
    assert body["data"]["customers"]["totalCount"] == 1


async def test_reliability_14_a_purpose_without_consent_needs_sees_everyone(client, client_for, db):
    # given
    people = [await _in_state(client, db, state, "MARKETING") for state in STATES]
    support = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)

    # when
    body = await gql(support, CUSTOMERS)

    # then
    assert sorted(_ids(body)) == sorted(person.id for person in people)


async def test_reliability_14_audiences_hold_only_customers_whose_consent_holds_now(client, db):
    # given
    people = {state: await _in_state(client, db, state, "MARKETING") for state in STATES}
    sms_only = await create_person(client, email="sms@example.com", loyalty_id="sms")
    await record_consent(client, sms_only.id, "GRANTED", purpose="MARKETING", channel="SMS")

    # when
    any_channel = await gql(client, AUDIENCE, {"purpose": "MARKETING"})
    email = await gql(client, AUDIENCE, {"purpose": "MARKETING", "channel": "EMAIL"})

    # then
    assert sorted(_ids(any_channel)) == sorted([people["GRANTED"].id, sms_only.id])
    assert _ids(email) == [people["GRANTED"].id]
    assert email["data"]["customers"]["totalCount"] == 1


async def test_reliability_14_after_a_withdrawal_the_next_request_sees_nothing_and_a_grant_restores(
    client, client_for
):
    # given: Jane granted personalization, John never did
    jane = await create_person(client)
    await create_john(client)
    await record_consent(client, jane.id, "GRANTED")
    widget = await client_for(Role.PERSONALIZATION, Purpose.PERSONALIZATION)
    as_jane = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)
    before = await gql(widget, CUSTOMER, {"id": jane.id})
    decision = {"purpose": "PERSONALIZATION", "channel": "EMAIL"}

    # when: Jane withdraws, then grants again, herself
    withdrawn = await gql(as_jane, SET_MY_CONSENT, {"input": {**decision, "status": "WITHDRAWN"}})
    after_withdrawal = await gql(widget, CUSTOMER, {"id": jane.id})
    list_after_withdrawal = await gql(widget, CUSTOMERS)
    granted = await gql(as_jane, SET_MY_CONSENT, {"input": {**decision, "status": "GRANTED"}})
    after_grant = await gql(widget, CUSTOMER, {"id": jane.id})
    list_after_grant = await gql(widget, CUSTOMERS)

    # then
    assert assert_no_errors(before)["customer"]["id"] == jane.id
    assert assert_no_errors(withdrawn)["setMyConsent"] == {"state": "WITHDRAWN", "granted": False}
    assert after_withdrawal["data"] == {"customer": None}
    assert error_codes(after_withdrawal) == ["CONSENT_REQUIRED"]
    assert _ids(list_after_withdrawal) == []
    assert assert_no_errors(granted)["setMyConsent"] == {"state": "GRANTED", "granted": True}
    assert assert_no_errors(after_grant)["customer"]["id"] == jane.id
    assert _ids(list_after_grant) == [jane.id]
