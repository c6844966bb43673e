"""`searchCustomers` through GraphQL over HTTP: ranking, evidence, access, and a fresh index."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.privacy.principals import Purpose, Role
from app.search.index import refresh_search_keys
from app.store.db import Database
from app.store.models import Customer as CustomerRow
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.privacy.people import record_consent

SEARCH = """
query Search($query: String!, $limit: Int) {
  searchCustomers(query: $query, limit: $limit) {
    score
    customer { id givenName familyName }
    matchedFields { field method similarity term }
  }
}
"""
UPDATE = """
mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { id version } }
"""
ADD_CONTACT = """
mutation($input: AddContactPointInput!) {
  addContactPoint(input: $input) { id phones { id number } }
}
"""
REMOVE_CONTACT = "mutation($id: ID!) { removeContactPoint(id: $id) { id } }"
AUDIT = """
query($id: ID!) { auditTrail(customerId: $id, first: 50) { edges { node { action fields } } } }
"""


def _address(street: str, city: str, postcode: str) -> dict[str, str]:
    return {"street": street, "city": city, "postcode": postcode, "country": "GB"}


@pytest.fixture
async def people(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Hand-made customers whose names, towns and contacts tell each search case apart."""
    specs = {
        "jane_leeds": {
            "givenName": "Jane",
            "familyName": "Doe",
            "emails": ["jane.doe@example.com"],
            "phones": ["+447911123456"],
            "loyaltyId": "LY12345678",
            "addresses": [_address("1 Park Row", "Leeds", "LS1 5AB")],
        },
        "jane_york": {
            "givenName": "Jane",
            "familyName": "Doe",
            "emails": ["jdoe@example.org"],
            "addresses": [_address("3 Stonegate", "York", "YO1 8AS")],
        },
        "john_leeds": {
            "givenName": "John",
            "familyName": "Doe",
            "addresses": [_address("9 Briggate", "Leeds", "LS1 6HD")],
        },
        "william": {
            "givenName": "William",
            "familyName": "Smith",
            "phones": ["+442079460018"],
            "addresses": [_address("5 Mill Lane", "Bristol", "BS1 4DJ")],
        },
        "zoe": {
            "givenName": "Zoë",
            "familyName": "Müller",
            "emails": ["zoe.mueller@example.de"],
        },
    }
    return {name: await create_customer(client, **fields) for name, fields in specs.items()}


async def _search(client: httpx.AsyncClient, query: str, limit: int | None = None) -> list[Any]:
    variables: dict[str, Any] = {"query": query}
    if limit is not None:
        variables["limit"] = limit
    return assert_no_errors(await gql(client, SEARCH, variables))["searchCustomers"]


def _ids(results: list[Any]) -> list[str]:
    return [result["customer"]["id"] for result in results]


def _how(result: dict[str, Any]) -> dict[str, str]:
    return {m["field"]: m["method"] for m in result["matchedFields"]}


async def test_name_and_town_rank_the_right_person_first(client, people):
    # when
    results = await _search(client, "jane doe leeds")
    # then
    best, *others = results
    assert best["customer"]["id"] == people["jane_leeds"]["id"]
    assert best["score"] == 1.0
    assert _how(best) == {"givenName": "EXACT", "familyName": "EXACT", "city": "EXACT"}
    # Jane of York and John of Leeds each match two words of three.
    assert {r["customer"]["id"] for r in others[:2]} == {
        people["jane_york"]["id"],
        people["john_leeds"]["id"],
    }
    assert [r["score"] for r in others[:2]] == [0.6667, 0.6667]
    assert people["william"]["id"] not in _ids(results)


async def test_nickname_matches_the_formal_given_name(client, people):
    results = await _search(client, "bill smith")
    assert _ids(results)[0] == people["william"]["id"]
    assert _how(results[0]) == {"givenName": "NICKNAME", "familyName": "EXACT"}


async def test_accents_and_case_do_not_matter(client, people):
    results = await _search(client, "ZOE MULLER")
    assert _ids(results) == [people["zoe"]["id"]]
    assert _how(results[0]) == {"givenName": "EXACT", "familyName": "EXACT"}


async def test_misspelt_family_name_matches_by_sound(client, people):
    results = await _search(client, "jane deo leeds")
    assert _ids(results)[0] == people["jane_leeds"]["id"]
    assert _how(results[0])["familyName"] == "PHONETIC"


@pytest.mark.parametrize(
    "phone", ["07911 123456", "+44 7911 123 456", "0044 7911-123-456", "(07911) 123456"]
)
async def test_a_phone_in_any_format_finds_its_owner(client, people, phone):
    results = await _search(client, phone)
    assert _ids(results) == [people["jane_leeds"]["id"]]
    assert results[0]["matchedFields"] == [
        {"field": "phone", "method": "EXACT", "similarity": 1.0, "term": phone}
    ]


async def test_national_digits_of_a_foreign_number_match_in_part(client, people):
    # A London number typed with the French country code: not a valid number, same digits.
    results = await _search(client, "+33 20 7946 0018")
    assert _ids(results)[0] == people["william"]["id"]
    assert _how(results[0]) == {"phone": "PARTIAL"}


@pytest.mark.parametrize(
    ("email", "method"),
    [
        ("Jane.Doe@Example.com", "EXACT"),
        ("jane.doe@exmaple.com", "PARTIAL"),  # the domain mistyped
        ("jnae.doe@example.com", "FUZZY"),  # two letters swapped in the local part
    ],
)
async def test_misspelt_email_finds_its_owner(client, people, email, method):
    results = await _search(client, email)
    assert _ids(results)[0] == people["jane_leeds"]["id"]
    assert _how(results[0]) == {"email": method}


async def test_loyalty_id_and_postcode_plus_name(client, people):
    for typed in ("ly-12345678", "LY 1234 5678", "LY12345678"):
        by_card = await _search(client, typed)
        assert _ids(by_card) == [people["jane_leeds"]["id"]], typed
        assert _how(by_card[0]) == {"loyaltyId": "EXACT"}
    by_postcode = await _search(client, "doe ls15ab")
    assert _ids(by_postcode)[0] == people["jane_leeds"]["id"]
    assert _how(by_postcode[0]) == {"familyName": "EXACT", "postcode": "EXACT"}


async def test_limit_keeps_the_best(client, people):
    results = await _search(client, "doe", limit=2)
    assert len(results) == 2
    assert people["william"]["id"] not in _ids(results)


@pytest.mark.parametrize(
    ("query", "limit"), [("", None), ("   ", None), ("!!!", None), ("jane", 0), ("jane", 51)]
)
async def test_bad_input_is_bad_user_input(client, people, query, limit):
    body = await gql(
        client, SEARCH, {"query": query, "limit": limit} if limit is not None else {"query": query}
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_query_over_200_characters_is_refused(client, people):
    body = await gql(client, SEARCH, {"query": "jane " * 41})
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("role", "purpose"),
    [
        (Role.ANALYST, Purpose.ANALYTICS),
        (Role.PERSONALIZATION, Purpose.PERSONALIZATION),
        (Role.CUSTOMER, Purpose.SELF_SERVICE),
    ],
)
async def test_only_staff_may_search(client_for, people, role, purpose):
    subject = node_id(people["jane_leeds"]["id"]) if role is Role.CUSTOMER else None
    caller = await client_for(role, purpose, subject)
    body = await gql(caller, SEARCH, {"query": "jane doe"})
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None


async def test_support_agent_searches_and_the_read_is_audited(client, client_for, people):
    # given
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    # when
    results = await _search(agent, "07911 123456")
    # then
    assert _ids(results) == [people["jane_leeds"]["id"]]
    body = await gql(client, AUDIT, {"id": people["jane_leeds"]["id"]})
    events = [e["node"] for e in assert_no_errors(body)["auditTrail"]["edges"]]
    assert any(e["action"] == "read" and "Query.searchCustomers" in e["fields"] for e in events)


async def test_consent_gated_purpose_leaves_out_customers_without_consent(
    client, client_for, people
):
    # given: only Jane of York granted personalization
    await record_consent(client, people["jane_york"]["id"], "GRANTED")
    await record_consent(client, people["jane_leeds"]["id"], "DENIED")
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.PERSONALIZATION)
    # when
    results = await _search(agent, "jane doe")
    # then
    assert _ids(results) == [people["jane_york"]["id"]]


async def test_merged_tombstones_never_appear(client, db: Database, people):
    # given: Jane of York merged into Jane of Leeds, first without refreshing the index...
    survivor, merged = node_id(people["jane_leeds"]["id"]), node_id(people["jane_york"]["id"])
    async with db.transaction() as session:
        await session.execute(
            update(CustomerRow).where(CustomerRow.id == merged).values(merged_into=survivor)
        )
    assert people["jane_york"]["id"] not in _ids(await _search(client, "jane doe"))
    # ...then as a merge must: the tombstone's keys go
    async with db.transaction() as session:
        await refresh_search_keys(session, [merged])
    assert _ids(await _search(client, "jdoe@example.org")) == []


async def test_index_follows_updates_and_contact_points(client, people):
    # given
    jane = people["jane_york"]
    # when: she marries and takes a new number
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": jane["id"], "version": jane["version"], "familyName": "Roe"}},
    )
    assert_no_errors(body)
    body = await gql(
        client,
        ADD_CONTACT,
        {"input": {"customerId": jane["id"], "kind": "PHONE", "value": "01904 123456"}},
    )
    phone_id = assert_no_errors(body)["addContactPoint"]["phones"][0]["id"]
    # then
    assert jane["id"] in _ids(await _search(client, "jane roe york"))
    assert _ids(await _search(client, "jane doe york"))[0] != jane["id"]
    assert _ids(await _search(client, "+44 1904 123456")) == [jane["id"]]
    # when: the number is removed again
    assert_no_errors(await gql(client, REMOVE_CONTACT, {"id": phone_id}))
    # then
    assert _ids(await _search(client, "+44 1904 123456")) == []
