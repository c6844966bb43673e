"""Self-service: `me` and the `*My*` mutations, for the signed-in customer only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.privacy.principals import Purpose, Role
from app.store.models import FieldProvenance
from tests.graphql_client import assert_no_errors, error_codes, gql
from tests.privacy.people import JANE_EMAIL, create_john, create_person

ME = "query { me { id givenName familyName locale version verifiedAt emails { address } } }"
UPDATE_MY_PROFILE = """
mutation($input: UpdateMyProfileInput!) {
  updateMyProfile(input: $input) { id givenName locale version verifiedAt }
}
"""
SET_MY_CONSENT = """
mutation($input: MyConsentInput!) {
  setMyConsent(input: $input) { purpose channel state granted source }
}
"""
SET_MY_PREFERENCES = """
mutation($input: PreferencesInput!) {
  setMyPreferences(input: $input) { channels frequency topics productInterests }
}
"""
CONSENTS = """
query($id: ID!) {
  customer(id: $id) { consents { purpose channel state source } preferences { frequency } }
}
"""
STAFF_ONLY = {
    "createCustomer": 'mutation { createCustomer(input: {givenName: "X"}) { id } }',
    "recordConsent": """mutation($id: ID!) { recordConsent(input: {customerId: $id,
        purpose: MARKETING, channel: EMAIL, status: GRANTED}) { state } }""",
    "setPreferences": """mutation($id: ID!) { setPreferences(input: {customerId: $id,
        frequency: "weekly"}) { frequency } }""",
    "updateCustomer": """mutation($id: ID!) { updateCustomer(input: {id: $id, version: 1,
        segment: "gold"}) { id } }""",
}


@pytest.fixture
async def jane_signed_in(client, client_for):
    """Jane, and a client signed in as Jane."""
    jane = await create_person(client)
    return jane, await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)


async def test_me_is_the_signed_in_customers_own_record(jane_signed_in):
    # given
    jane, as_jane = jane_signed_in

    # when
    body = await gql(as_jane, ME)

    # then
    me = assert_no_errors(body)["me"]
    assert (me["id"], me["givenName"], me["emails"]) == (jane.id, "Jane", [{"address": JANE_EMAIL}])


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.CUSTOMER], ids=str)
async def test_me_is_for_customers_only(client_for, role):
    # given
    caller = await client_for(role, Purpose.SUPPORT)

    # when
    body = await gql(caller, ME)

    # then
    assert body["data"] == {"me": None}
    assert error_codes(body) == ["FORBIDDEN"]


async def test_update_my_profile_records_self_service_provenance_and_verifies(jane_signed_in, db):
    # given
    jane, as_jane = jane_signed_in
    version = assert_no_errors(await gql(as_jane, ME))["me"]["version"]

    # when
    body = await gql(
        as_jane, UPDATE_MY_PROFILE, {"input": {"version": version, "givenName": " Janet "}}
    )

    # then
    updated = assert_no_errors(body)["updateMyProfile"]
    assert updated["givenName"] == "Janet"
    assert updated["version"] == version + 1
    assert updated["verifiedAt"] is not None
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(FieldProvenance).where(FieldProvenance.customer_id == jane.store_id)
            )
        ).all()
    assert {(row.field, row.system) for row in rows if row.system == "self_service"} == {
        ("given_name", "self_service")
    }


async def test_update_my_profile_with_a_stale_version_is_conflict(jane_signed_in):
    # given
    _, as_jane = jane_signed_in
    version = assert_no_errors(await gql(as_jane, ME))["me"]["version"]
    first = {"input": {"version": version, "locale": "en-GB"}}
    assert_no_errors(await gql(as_jane, UPDATE_MY_PROFILE, first))

    # when
    body = await gql(as_jane, UPDATE_MY_PROFILE, {"input": {"version": version, "locale": "fr"}})

    # then
    assert body["data"] == {"updateMyProfile": None}
    assert error_codes(body) == ["CONFLICT"]
    assert assert_no_errors(await gql(as_jane, ME))["me"]["locale"] == "en_GB"


@pytest.mark.parametrize(
    "changes",
    [{"birthDate": "2999-01-01"}, {"locale": "not a locale!"}, {"givenName": "x" * 500}],
    ids=["future-birth-date", "bad-locale", "long-name"],
)
async def test_update_my_profile_is_validated(jane_signed_in, changes):
    # given
    _, as_jane = jane_signed_in
    version = assert_no_errors(await gql(as_jane, ME))["me"]["version"]

    # when
    body = await gql(as_jane, UPDATE_MY_PROFILE, {"input": {"version": version, **changes}})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert assert_no_errors(await gql(as_jane, ME))["me"]["version"] == version


async def test_set_my_consent_appends_to_my_ledger(client, jane_signed_in):
    # given
    jane, as_jane = jane_signed_in
    decision = {"purpose": "MARKETING", "channel": "SMS", "status": "GRANTED"}

    # when
    body = await gql(as_jane, SET_MY_CONSENT, {"input": decision})

    # then
    assert assert_no_errors(body)["setMyConsent"] == {
        "purpose": "marketing",
        "channel": "sms",
        "state": "GRANTED",
        "granted": True,
        "source": "self_service",
    }
    consents = assert_no_errors(await gql(client, CONSENTS, {"id": jane.id}))["customer"]
    assert {
        "purpose": "marketing",
        "channel": "sms",
        "state": "GRANTED",
        "source": "self_service",
    } in (consents["consents"])


async def test_set_my_preferences_replaces_my_preferences(client, jane_signed_in):
    # given
    jane, as_jane = jane_signed_in
    preferences = {"channels": ["EMAIL"], "frequency": "weekly", "topics": ["offers"]}

    # when
    body = await gql(as_jane, SET_MY_PREFERENCES, {"input": preferences})

    # then
    assert assert_no_errors(body)["setMyPreferences"] == {
        "channels": ["email"],
        "frequency": "weekly",
        "topics": ["offers"],
        "productInterests": [],
    }
    stored = assert_no_errors(await gql(client, CONSENTS, {"id": jane.id}))["customer"]
    assert stored["preferences"] == {"frequency": "weekly"}


async def test_self_service_changes_only_ever_touch_ones_own_record(client, jane_signed_in):
    # given: John exists; Jane changes her preferences
    _, as_jane = jane_signed_in
    john = await create_john(client)

    # when
    assert_no_errors(await gql(as_jane, SET_MY_PREFERENCES, {"input": {"frequency": "never"}}))

    # then
    johns = assert_no_errors(await gql(client, CONSENTS, {"id": john.id}))["customer"]
    assert johns["preferences"] is None


@pytest.mark.parametrize(
    ("role", "purpose"),
    [
        (Role.CUSTOMER, Purpose.SELF_SERVICE),
        (Role.ANALYST, Purpose.ANALYTICS),
        (Role.PERSONALIZATION, Purpose.PERSONALIZATION),
    ],
    ids=["customer", "analyst", "personalization"],
)
@pytest.mark.parametrize("mutation", list(STAFF_ONLY), ids=str)
async def test_staff_only_mutations_are_forbidden(client, client_for, role, purpose, mutation):
    # given
    jane = await create_person(client)
    caller = await client_for(role, purpose, jane.store_id if role is Role.CUSTOMER else None)

    # when
    body = await gql(
        caller, STAFF_ONLY[mutation], {"id": jane.id} if "$id" in STAFF_ONLY[mutation] else None
    )

    # then
    assert body["data"] == {mutation: None}
    assert error_codes(body) == ["FORBIDDEN"]
