"""Erasure: `eraseCustomer`, the suppression list, retries and idempotence (RELIABILITY 17)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from app.privacy.principals import Purpose, Role
from app.privacy.suppression import Identifiers, suppressed_among
from app.settings import Environment, Settings
from app.store.models import AuditEvent, ContactPoint, Customer, SuppressionEntry
from tests.graphql_client import (
    assert_no_errors,
    create_customer,
    error_codes,
    global_id,
    gql,
)
from tests.privacy.people import (
    JANE_EMAIL,
    JANE_PHONE,
    Person,
    create_john,
    create_person,
)

ERASE = """
mutation Erase($id: ID!) {
  eraseCustomer(customerId: $id) {
    customer requestedAt completedAt complete
    systems { system state attempts detail }
  }
}
"""
CUSTOMER = "query Read($id: ID!) { customer(id: $id) { id displayName } }"
EXPORT = "query Export($id: ID!) { exportCustomerData(customerId: $id) { customer } }"
ME = "{ me { id } }"
AUDIT = """
query Audit($id: ID!) { auditTrail(customerId: $id) { edges { node { action principal } } } }
"""
CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"
ADD_POINT = """
mutation($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }
"""
RECORD_METRIC = """
mutation Metric($input: RecordMetricInput!) { recordMetric(input: $input) { name } }
"""
PURPOSES = {
    Role.ADMIN: Purpose.ADMINISTRATION,
    Role.STEWARD: Purpose.STEWARDSHIP,
    Role.SUPPORT_AGENT: Purpose.SUPPORT,
    Role.ANALYST: Purpose.ANALYTICS,
    Role.PERSONALIZATION: Purpose.PERSONALIZATION,
    Role.CUSTOMER: Purpose.SELF_SERVICE,
}
# Jane's personal data as `create_person` stores it (John shares her address and birth date).
JANE_PII = (JANE_EMAIL, JANE_PHONE, "LOY-1001", "Jane", "Jones")


async def _erase(client, customer_id: str) -> dict:
    return assert_no_errors(await gql(client, ERASE, {"id": customer_id}))["eraseCustomer"]


async def _everything_stored(db) -> str:
    """Every row of every table of the master store, as one text to search."""
    async with db.session() as session:
        dumps = []
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
            dumps.append(f"{table.name}: {[tuple(row) for row in rows]}")
    return "\n".join(dumps)


async def test_reliability_17_after_erasure_nothing_personal_is_left_in_the_store(
    client, client_for, db
):
    # given: Jane with every kind of personal data, a metric, a consent and a reader
    jane = await create_person(client, family="Jones")
    john = await create_john(client)
    metric = {"customerId": jane.id, "name": "nps", "value": 9}
    assert_no_errors(await gql(client, RECORD_METRIC, {"input": metric}))
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, CUSTOMER, {"id": jane.id}))
    before = await _everything_stored(db)
    assert all(value in before for value in JANE_PII)

    # when
    erasure = await _erase(client, jane.id)

    # then: erased and complete (Jane is linked to no source system)
    assert erasure["customer"] == jane.id
    assert erasure["complete"] is True
    assert erasure["systems"] == []
    # her id resolves to nothing, and neither a read nor an export finds anything
    read = await gql(client, CUSTOMER, {"id": jane.id})
    assert read["data"] == {"customer": None}
    assert error_codes(read) == ["NOT_FOUND"]
    assert error_codes(await gql(client, EXPORT, {"id": jane.id})) == ["NOT_FOUND"]
    # no table holds any of her personal data; John's is untouched
    stored = await _everything_stored(db)
    for value in JANE_PII:
        assert value not in stored, value
    assert john.email in stored
    # the suppression list holds digests only
    async with db.session() as session:
        entries = list(await session.scalars(select(SuppressionEntry)))
    assert {entry.kind for entry in entries} == {"email", "phone", "loyalty_id", "source_id"}
    assert all(len(entry.digest) == 64 for entry in entries)


async def test_reliability_17_the_audit_record_of_the_erasure_remains(client, db):
    # given
    jane = await create_person(client)

    # when
    await _erase(client, jane.id)

    # then
    trail = assert_no_errors(await gql(client, AUDIT, {"id": jane.id}))["auditTrail"]
    actions = [edge["node"]["action"] for edge in trail["edges"]]
    assert actions[0] == "erase"
    assert "create" in actions
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.customer_id == jane.store_id, AuditEvent.action == "erase"
            )
        )
        assert len(list(rows)) == 1


@pytest.mark.parametrize(
    "identity",
    [
        {"emails": [JANE_EMAIL.upper()]},
        {"phones": ["07911 123456"]},
        {"loyaltyId": "LOY-1001"},
    ],
    ids=["email", "phone-in-another-format", "loyalty-id"],
)
async def test_reliability_17_a_suppressed_identity_cannot_be_created_again(client, db, identity):
    # given
    jane = await create_person(client)
    await _erase(client, jane.id)

    # when
    body = await gql(client, CREATE, {"input": {"givenName": "Jane", **identity}})

    # then
    assert body["data"] == {"createCustomer": None}
    assert error_codes(body) == ["SUPPRESSED"]
    assert "Jane" not in await _everything_stored(db)


async def test_someone_else_can_still_be_created(client):
    # given
    jane = await create_person(client)
    await _erase(client, jane.id)

    # when
    created = await create_customer(client, givenName="Ann", emails=["ann@example.com"])

    # then
    assert created["id"]


async def test_a_suppressed_email_cannot_be_added_to_another_customer(client):
    # given
    jane = await create_person(client)
    john = await create_john(client)
    await _erase(client, jane.id)

    # when
    point = {"customerId": john.id, "kind": "EMAIL", "value": JANE_EMAIL}
    body = await gql(client, ADD_POINT, {"input": point})

    # then
    assert error_codes(body) == ["SUPPRESSED"]


async def test_reliability_17_no_consent_grant_is_accepted_for_an_erased_person(client):
    # given
    jane = await create_person(client)
    await _erase(client, jane.id)
    grant = {"purpose": "MARKETING", "channel": "EMAIL", "status": "GRANTED"}
    mutation = "mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }"

    # when
    on_erased = await gql(client, mutation, {"input": {"customerId": jane.id, **grant}})

    # then
    assert error_codes(on_erased) == ["SUPPRESSED"]


async def test_reliability_17_the_erased_customers_own_keys_stop_working(
    client, gateway, principal_headers
):
    # given
    jane = await create_person(client)
    headers = await principal_headers(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)
    async with gateway.new_client(headers) as me:
        assert_no_errors(await gql(me, ME))

        # when
        await _erase(client, jane.id)
        response = await me.post("/graphql", json={"query": ME})

    # then
    assert response.status_code == 401


async def test_reliability_17_erasing_twice_is_idempotent(client):
    # given
    jane = await create_person(client)
    first = await _erase(client, jane.id)

    # when
    second = await _erase(client, jane.id)

    # then
    assert second == first


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_only_admins_erase(client, client_for, role):
    # given
    jane = await create_person(client)
    subject = jane.store_id if role is Role.CUSTOMER else None
    caller = await client_for(role, PURPOSES[role], subject)

    # when
    body = await gql(caller, ERASE, {"id": jane.id})

    # then
    if role is Role.ADMIN:
        assert assert_no_errors(body)["eraseCustomer"]["complete"] is True
    else:
        assert body["data"] == {"eraseCustomer": None}
        assert error_codes(body) == ["FORBIDDEN"]
        assert_no_errors(await gql(client, CUSTOMER, {"id": jane.id}))


@pytest.mark.parametrize(
    ("customer_id", "code"),
    [
        (global_id("Customer", "00000000-0000-0000-0000-000000000000"), "NOT_FOUND"),
        (global_id("ContactPoint", "1"), "BAD_USER_INPUT"),
    ],
)
async def test_erasing_an_unknown_id_is_a_clean_error(client, customer_id, code):
    # when
    body = await gql(client, ERASE, {"id": customer_id})

    # then
    assert body["data"] == {"eraseCustomer": None}
    assert error_codes(body) == [code]


async def test_suppressed_among_answers_for_the_erased_persons_identifiers_only(
    client, db, settings
):
    # given
    jane: Person = await create_person(client)
    await _erase(client, jane.id)

    # when / then: what an import or a sync asks before it creates or links anyone
    async def erased(**identifiers) -> bool:
        async with db.session() as session:
            return bool(await suppressed_among(session, settings, Identifiers(**identifiers)))

    assert await erased(emails=[JANE_EMAIL])
    assert await erased(phones=[JANE_PHONE])
    assert await erased(loyalty_ids=["loy 1001"])
    assert await erased(source_ids=[("loyalty", "LOY-1001")])
    assert not await erased(emails=["someone@example.com"])
    assert not await erased()


async def test_an_erased_persons_source_identity_cannot_be_linked_again(client):
    # given: Jane's loyalty card is linked to her as ("loyalty", "LOY-1001")
    jane = await create_person(client)
    john = await create_john(client)
    await _erase(client, jane.id)
    mutation = """
    mutation($input: LinkSourceIdentityInput!) { linkSourceIdentity(input: $input) { id } }
    """
    link = {"customerId": john.id, "system": "loyalty", "externalId": "LOY-1001"}

    # when
    body = await gql(client, mutation, {"input": link})

    # then
    assert error_codes(body) == ["SUPPRESSED"]


async def test_an_erased_persons_loyalty_id_cannot_be_given_to_another_customer(client):
    # given
    jane = await create_person(client)
    john = await create_john(client)
    await _erase(client, jane.id)
    mutation = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { id } }"
    change = {"id": john.id, "version": john.version, "loyaltyId": "LOY-1001"}

    # when
    body = await gql(client, mutation, {"input": change})

    # then
    assert error_codes(body) == ["SUPPRESSED"]


async def test_erasure_takes_the_records_merged_into_the_customer_with_it(client, db, settings):
    # given: an older record of Jane's merged into her (written directly: no mutation merges)
    jane = await create_person(client)
    old = Customer(given_name="Jane", family_name="Doe-Old", merged_into=jane.store_id)
    async with db.transaction() as session:
        session.add(old)
        await session.flush()
        session.add(ContactPoint(customer_id=old.id, kind="email", value="jane.old@example.com"))

    # when
    await _erase(client, jane.id)

    # then: the tombstone did not come back to life, and its email is suppressed too
    stored = await _everything_stored(db)
    assert "Doe-Old" not in stored
    assert "jane.old@example.com" not in stored
    read = await gql(client, CUSTOMER, {"id": global_id("Customer", old.id)})
    assert error_codes(read) == ["NOT_FOUND"]
    async with db.session() as session:
        old_email = Identifiers(emails=["jane.old@example.com"])
        assert await suppressed_among(session, settings, old_email)


def test_the_suppression_pepper_must_be_a_real_secret_in_production():
    with pytest.raises(ValueError, match="production"):
        Settings(environment=Environment.PRODUCTION)
    with pytest.raises(ValueError, match="32 bytes"):
        Settings(suppression_pepper="short")
    production = Settings(
        environment=Environment.PRODUCTION,
        suppression_pepper="a-production-pepper-of-at-least-32-bytes",
    )
    assert production.is_production
