"""RELIABILITY 12: every role x every personal-data field, and every role x every mutation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.privacy.principals import Purpose, Role
from app.store.models import MatchCandidate, OutboxEvent, WebhookDelivery, WebhookEndpoint
from tests.graphql_client import assert_no_errors, create_customer, error_codes, global_id, gql
from tests.history.pii_fields import HISTORY_PII_FIELDS
from tests.privacy.people import (
    EVIDENCE,
    JANE_EMAIL,
    SUMMARY,
    Person,
    create_person,
    record_consent,
)
from tests.privacy.test_source_pii_matrix import SOURCE_PII, SOURCE_PII_FIELDS

SDL = Path(__file__).parents[2] / "schema" / "schema.graphql"

# Every `@pii` field of the schema, reached from one customer.
CUSTOMER_PII = """
fragment Pii on Customer {
  givenName middleName familyName birthDate loyaltyId displayName
  emails { address }
  phones { number }
  addresses { street addressLine2 postcode formatted }
  consentHistory { evidence }
  interactions { edges { node { summary } } }
}
"""
CUSTOMER = "query Read($id: ID!) { customer(id: $id) { ...Pii } }" + CUSTOMER_PII
ME = "query { me { ...Pii } }" + CUSTOMER_PII

RAW = {
    "givenName": "Jane",
    "middleName": "Q",
    "familyName": "Doe",
    "birthDate": "1980-02-03",
    "loyaltyId": "LOY-1001",
    "displayName": "Jane Doe",
    "emails": [{"address": JANE_EMAIL}],
    "phones": [{"number": "+447911123456"}],
    "addresses": [
        {
            "street": "1 Acacia Avenue",
            "addressLine2": "Flat 2",
            "postcode": "LS1 4AP",
            "formatted": "1 Acacia Avenue, Flat 2, LS1 4AP, Leeds, GB",
        }
    ],
    "consentHistory": [{"evidence": EVIDENCE}] * 2,
    "interactions": {"edges": [{"node": {"summary": SUMMARY}}]},
}
MASKED = {
    "givenName": "J.",
    "middleName": "Q.",
    "familyName": "D.",
    "birthDate": None,
    "loyaltyId": "***",
    "displayName": "J.",
    "emails": [{"address": "j***@example.com"}],
    "phones": [{"number": "+44 *** *** 456"}],
    "addresses": [{"street": "***", "addressLine2": "***", "postcode": "***", "formatted": "***"}],
    "consentHistory": [{"evidence": "***"}] * 2,
    "interactions": {"edges": [{"node": {"summary": "***"}}]},
}
# The role, the purpose it acts for, and what it sees of another customer's personal data.
READERS: list[tuple[Role, Purpose, dict[str, Any]]] = [
    (Role.ADMIN, Purpose.ADMINISTRATION, RAW),
    (Role.STEWARD, Purpose.STEWARDSHIP, RAW),
    (Role.SUPPORT_AGENT, Purpose.SUPPORT, RAW),
    (Role.ANALYST, Purpose.ANALYTICS, MASKED),
    (Role.PERSONALIZATION, Purpose.PERSONALIZATION, MASKED),
]


def _pii_fields_in_sdl() -> set[str]:
    """`Type.field` of every field the SDL marks `@pii`."""
    found: set[str] = set()
    type_name = ""
    for line in SDL.read_text().splitlines():
        if match := re.match(r"^type (\w+)", line):
            type_name = match.group(1)
        elif match := re.match(r"^\s+(\w+)\b.*@pii\(", line):
            found.add(f"{type_name}.{match.group(1)}")
    return found


def _fields_in(query: str) -> set[str]:
    """`Type.field` for each personal-data field the matrix queries (mirrors CUSTOMER_PII)."""
    nested = {
        "emails": "EmailAddress",
        "phones": "PhoneNumber",
        "addresses": "PostalAddress",
        "consentHistory": "ConsentEvent",
        "interactions": "Interaction",
    }
    fields = {f"Customer.{name}" for name, value in RAW.items() if name not in nested}
    for name, type_name in nested.items():
        value = RAW[name]
        sample = value["edges"][0]["node"] if isinstance(value, dict) else value[0]
        fields |= {f"{type_name}.{field}" for field in sample if field in query}
    return fields


async def _consenting_jane(client: httpx.AsyncClient) -> Person:
    """Jane, with a personalization grant (so the personalization role may see her at all)."""
    jane = await create_person(client)
    await record_consent(client, jane.id, "GRANTED", evidence=EVIDENCE)
    return jane


def test_reliability_12_the_matrix_covers_every_pii_field_of_the_schema():
    # when
    tagged = _pii_fields_in_sdl()

    # then: a new @pii field must join this matrix, the source-system or the history one
    assert tagged
    assert _fields_in(CUSTOMER_PII) | SOURCE_PII_FIELDS | HISTORY_PII_FIELDS == tagged
    for field in SOURCE_PII_FIELDS:
        assert field.split(".")[1] in SOURCE_PII, field


@pytest.mark.parametrize(("role", "purpose", "expected"), READERS, ids=lambda v: str(v)[:12])
async def test_reliability_12_each_role_sees_each_pii_field_raw_or_masked(
    client, client_for, role, purpose, expected
):
    # given
    jane = await _consenting_jane(client)
    reader = await client_for(role, purpose)

    # when
    body = await gql(reader, CUSTOMER, {"id": jane.id})

    # then
    assert assert_no_errors(body)["customer"] == expected


async def test_reliability_12_a_customer_sees_their_own_pii_raw(client, client_for):
    # given
    jane = await _consenting_jane(client)
    me = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)

    # when
    by_me = await gql(me, ME)
    by_id = await gql(me, CUSTOMER, {"id": jane.id})

    # then
    assert assert_no_errors(by_me)["me"] == RAW
    assert assert_no_errors(by_id)["customer"] == RAW


async def test_reliability_12_a_customer_gets_nothing_of_another_customer(client, client_for):
    # given
    jane = await create_person(client)
    john = await create_person(client, given="John", email="john@example.org", loyalty_id="L2")
    me = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, john.store_id)

    # when
    body = await gql(me, CUSTOMER, {"id": jane.id})

    # then
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["FORBIDDEN"]


# Every mutation with variables that make it succeed for a role allowed to run it.
STAFF_MUTATIONS: dict[str, tuple[str, Any]] = {
    "createCustomer": (
        "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }",
        lambda p: {"input": {"givenName": "New", "emails": ["new@example.net"]}},
    ),
    "updateCustomer": (
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { id } }",
        lambda p: {"input": {"id": p["id"], "version": p["version"], "segment": "gold"}},
    ),
    "addContactPoint": (
        "mutation($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }",
        lambda p: {"input": {"customerId": p["id"], "kind": "EMAIL", "value": "x@example.net"}},
    ),
    "removeContactPoint": (
        "mutation($id: ID!) { removeContactPoint(id: $id) { id } }",
        lambda p: {"id": p["phoneId"]},
    ),
    "recordInteraction": (
        "mutation($input: RecordInteractionInput!) { recordInteraction(input: $input) { id } }",
        lambda p: {
            "input": {
                "customerId": p["id"],
                "channel": "web",
                "kind": "visit",
                "summary": "visited",
            }
        },
    ),
    "recordMetric": (
        "mutation($input: RecordMetricInput!) { recordMetric(input: $input) { name } }",
        lambda p: {"input": {"customerId": p["id"], "name": "nps", "value": 9}},
    ),
    "linkSourceIdentity": (
        "mutation($input: LinkSourceIdentityInput!) { linkSourceIdentity(input: $input) { id } }",
        lambda p: {"input": {"customerId": p["id"], "system": "hubspot", "externalId": "77"}},
    ),
    "recordConsent": (
        "mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }",
        lambda p: {
            "input": {
                "customerId": p["id"],
                "purpose": "MARKETING",
                "channel": "SMS",
                "status": "GRANTED",
            }
        },
    ),
    "setPreferences": (
        "mutation($input: SetPreferencesInput!) { setPreferences(input: $input) { frequency } }",
        lambda p: {"input": {"customerId": p["id"], "frequency": "weekly"}},
    ),
}
SELF_SERVICE_MUTATIONS: dict[str, tuple[str, Any]] = {
    "updateMyProfile": (
        "mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { id } }",
        lambda p: {"input": {"version": p["version"], "locale": "en-GB"}},
    ),
    "setMyConsent": (
        "mutation($input: MyConsentInput!) { setMyConsent(input: $input) { state } }",
        lambda p: {"input": {"purpose": "MARKETING", "channel": "POST", "status": "DENIED"}},
    ),
    "setMyPreferences": (
        "mutation($input: PreferencesInput!) { setMyPreferences(input: $input) { frequency } }",
        lambda p: {"input": {"frequency": "monthly"}},
    ),
    "requestMyDataExport": ("mutation { requestMyDataExport { customer } }", lambda p: {}),
}
# Identity decisions, for stewards and admins; `_prepare_identity` makes what each one needs.
IDENTITY_MUTATIONS: dict[str, tuple[str, Any]] = {
    "resolveCandidate": (
        "mutation($id: ID!) { resolveCandidate(id: $id, decision: NOT_MATCH) { survivor { id } } }",
        lambda p: {"id": p["candidateId"]},
    ),
    "mergeCustomers": (
        "mutation($s: ID!, $m: ID!) { mergeCustomers(survivorId: $s, mergedId: $m) { id } }",
        lambda p: {"s": p["id"], "m": p["otherId"]},
    ),
    "unmergeCustomer": (
        "mutation($id: ID!) { unmergeCustomer(id: $id) { restored { id } } }",
        lambda p: {"id": p["otherId"]},
    ),
    "dismissErasureLookalike": (
        "mutation($id: ID!) { dismissErasureLookalike(id: $id) { status } }",
        lambda p: {"id": p["lookalikeId"]},
    ),
}
# Where customers came from and what that cost: admins and stewards (policy.py).
BUSINESS_MUTATIONS: dict[str, tuple[str, Any]] = {
    "setAcquisition": (
        "mutation($input: SetAcquisitionInput!) { setAcquisition(input: $input) { channel } }",
        lambda p: {"input": {"customerId": p["id"], "acquiredAt": "2025-01-01T00:00:00Z"}},
    ),
    "recordAcquisitionSpend": (
        "mutation($e: [AcquisitionSpendInput!]!) { recordAcquisitionSpend(entries: $e) { id } }",
        lambda p: {
            "e": [
                {
                    "periodStart": "2025-01-01",
                    "periodEnd": "2025-01-31",
                    "category": "MEDIA",
                    "amount": 10,
                    "currency": "EUR",
                }
            ]
        },
    ),
}
# Admin only; `_prepare_webhooks` makes the endpoint and dead letter they act on.
WEBHOOK_MUTATIONS: dict[str, tuple[str, Any]] = {
    "createWebhookEndpoint": (
        'mutation { createWebhookEndpoint(url: "http://receiver/hook", purpose: "support") '
        "{ secret } }",
        lambda p: {},
    ),
    "disableWebhookEndpoint": (
        "mutation($id: ID!) { disableWebhookEndpoint(id: $id) { enabled } }",
        lambda p: {"id": p["endpointId"]},
    ),
    "rotateWebhookSecret": (
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
        lambda p: {"id": p["endpointId"]},
    ),
    "replayDeadLetter": (
        "mutation($id: Int!) { replayDeadLetter(id: $id) }",
        lambda p: {"id": p["deadLetterId"]},
    ),
}
# Admin only; it runs last, as it erases the customer the others act on.
ADMIN_MUTATIONS: dict[str, tuple[str, Any]] = {
    **WEBHOOK_MUTATIONS,
    "eraseCustomer": (
        "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }",
        lambda p: {"id": p["id"]},
    ),
}
ALL_MUTATIONS = {
    **STAFF_MUTATIONS,
    **SELF_SERVICE_MUTATIONS,
    **IDENTITY_MUTATIONS,
    **BUSINESS_MUTATIONS,
    **ADMIN_MUTATIONS,
}
STAFF = {Role.ADMIN, Role.STEWARD, Role.SUPPORT_AGENT}
IDENTITY_STEWARDS = {Role.ADMIN, Role.STEWARD}
PURPOSES = {
    Role.ADMIN: Purpose.ADMINISTRATION,
    Role.STEWARD: Purpose.STEWARDSHIP,
    Role.SUPPORT_AGENT: Purpose.SUPPORT,
    Role.ANALYST: Purpose.ANALYTICS,
    Role.PERSONALIZATION: Purpose.PERSONALIZATION,
    Role.CUSTOMER: Purpose.SELF_SERVICE,
}
CUSTOMER_STATE = "query($id: ID!) { customer(id: $id) { version phones { id } } }"


def _expected(role: Role, mutation: str) -> str:
    """ "allowed" or the error code the design gives `role` for `mutation`."""
    if mutation in SELF_SERVICE_MUTATIONS:
        return "allowed" if role is Role.CUSTOMER else "FORBIDDEN"
    if mutation in ADMIN_MUTATIONS:
        return "allowed" if role is Role.ADMIN else "FORBIDDEN"
    if mutation in IDENTITY_MUTATIONS or mutation in BUSINESS_MUTATIONS:
        return "allowed" if role in IDENTITY_STEWARDS else "FORBIDDEN"
    return "allowed" if role in STAFF else "FORBIDDEN"


def test_reliability_12_the_mutation_matrix_covers_every_mutation():
    # when
    mutation_block = SDL.read_text().split("type Mutation {")[1].split("}")[0]
    declared = set(re.findall(r"^  (\w+)[(:]", mutation_block, re.M))

    # then
    assert declared == set(ALL_MUTATIONS)


async def _prepare_webhooks(db: Any, jane: Any) -> dict[str, Any]:
    """An endpoint (disabled: nothing is sent in this test) and a dead letter of it."""
    endpoint = WebhookEndpoint(url="http://receiver/hook", purpose="support", secret="x")
    endpoint.enabled = False
    async with db.transaction() as session:
        event = OutboxEvent(kind="profile_changed", customer_id=jane.store_id)
        session.add_all([endpoint, event])
        await session.flush()
        assert event.id is not None
        letter = WebhookDelivery(
            endpoint_id=endpoint.id, outbox_id=event.id, customer_id=jane.store_id, state="dead"
        )
        session.add(letter)
        await session.flush()
    return {"endpointId": endpoint.id, "deadLetterId": letter.id}


async def _prepare_identity(
    client: httpx.AsyncClient, db: Any, name: str, jane: Any, serial: int
) -> dict[str, str]:
    """Another customer, merged into Jane for unmerge, or paired with her as a candidate."""
    other = await create_person(
        client, given="Joan", email=f"joan{serial}@example.org", loyalty_id=f"LJ-{serial}"
    )
    if name == "unmergeCustomer":
        merge = IDENTITY_MUTATIONS["mergeCustomers"][0]
        assert_no_errors(await gql(client, merge, {"s": jane.id, "m": other.id}))
    if name == "resolveCandidate":
        async with db.transaction() as session:
            row = MatchCandidate(left_id=other.store_id, right_id=jane.store_id, score=0.5)
            session.add(row)
            await session.flush()
        return {"otherId": other.id, "candidateId": global_id("DuplicateCandidate", row.id)}
    if name == "dismissErasureLookalike":
        # A second record holding Joan's email, erased: Joan becomes its look-alike.
        gone = await create_customer(client, givenName="Gone", emails=[other.email])
        erase = "mutation($id: ID!) { eraseCustomer(customerId: $id) { lookalikes { id } } }"
        erased = assert_no_errors(await gql(client, erase, {"id": gone["id"]}))
        return {"otherId": other.id, "lookalikeId": erased["eraseCustomer"]["lookalikes"][0]["id"]}
    return {"otherId": other.id}


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_reliability_12_each_role_may_run_exactly_the_mutations_designed_for_it(
    client, client_for, db, role
):
    # given
    jane = await create_person(client)
    caller = await client_for(
        role, PURPOSES[role], jane.store_id if role is Role.CUSTOMER else None
    )

    # when
    outcomes: dict[str, str] = {}
    for name, (mutation, variables) in ALL_MUTATIONS.items():
        state = assert_no_errors(await gql(client, CUSTOMER_STATE, {"id": jane.id}))["customer"]
        params = {"id": jane.id, "version": state["version"], "phoneId": state["phones"][0]["id"]}
        if name in IDENTITY_MUTATIONS:
            params |= await _prepare_identity(client, db, name, jane, len(outcomes))
        if name in WEBHOOK_MUTATIONS:
            params |= await _prepare_webhooks(db, jane)
        body = await gql(caller, mutation, variables(params))
        outcomes[name] = (error_codes(body) or ["allowed"])[0]
        if name == "removeContactPoint" and outcomes[name] == "allowed":
            # Put a phone back for the next mutations.
            await gql(
                client,
                STAFF_MUTATIONS["addContactPoint"][0],
                {"input": {"customerId": jane.id, "kind": "PHONE", "value": "+447911123111"}},
            )

    # then
    assert outcomes == {name: _expected(role, name) for name in ALL_MUTATIONS}
