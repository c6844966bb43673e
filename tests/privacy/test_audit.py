"""RELIABILITY 15: each PII read writes one audit event per customer; the logs hold no PII."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from app.privacy.audit import AuditWriter
from app.privacy.authentication import API_KEY_HEADER
from app.privacy.principals import Purpose, Role
from app.store.db import Database
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors, error_codes, gql
from tests.privacy.people import (
    JANE_EMAIL,
    JANE_PHONE,
    JOHN_EMAIL,
    JOHN_PHONE,
    create_john,
    create_person,
)

CUSTOMERS = """
query { customers(first: 10) { edges { node { id givenName emails { address } segment } } } }
"""
TWICE = """
query($id: ID!) {
  a: customer(id: $id) { familyName phones { number } }
  b: customer(id: $id) { familyName }
}
"""
NO_PII = "query($id: ID!) { customer(id: $id) { id segment version } }"
TRAIL = """
query($id: ID!) {
  auditTrail(customerId: $id, first: 50) {
    edges { node { principal role purpose action fields requestId } }
  }
}
"""
MY_ACCESS_LOG = """
query { myAccessLog { edges { node { principal role purpose action fields } } } }
"""
ME_ACCESS_LOG = """
query { me { accessLog { edges { node { role purpose action fields } } } } }
"""
CUSTOMER_ACCESS_LOG = """
query($id: ID!) { customer(id: $id) { accessLog { edges { node { role purpose } } } } }
"""
UPDATE = """
mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
ADD_PHONE = """
mutation($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }
"""


async def _post(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None):
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200, response.text
    return response


async def _trail(client: httpx.AsyncClient, customer_id: str) -> list[dict[str, Any]]:
    body = await gql(client, TRAIL, {"id": customer_id})
    return [edge["node"] for edge in assert_no_errors(body)["auditTrail"]["edges"]]


def _key_id(headers: dict[str, str]) -> str:
    # A key reads c360_<key id>_<secret>; the audit names the key id, never the key.
    return headers[API_KEY_HEADER].split("_")[1]


async def test_reliability_15_a_pii_read_writes_one_event_per_customer_with_the_request_id(
    gateway, client, principal_headers
):
    # given
    jane = await create_person(client)
    john = await create_john(client)
    headers = await principal_headers(Role.SUPPORT_AGENT, Purpose.SUPPORT)

    # when
    async with gateway.new_client(headers) as agent:
        response = await _post(agent, CUSTOMERS)

    # then
    assert "errors" not in response.json()
    request_id = response.headers["x-request-id"]
    for person in (jane, john):
        reads = [event for event in await _trail(client, person.id) if event["action"] == "read"]
        assert reads == [
            {
                "principal": _key_id(headers),
                "role": "support_agent",
                "purpose": "support",
                "action": "read",
                "fields": ["Customer.givenName", "EmailAddress.address"],
                "requestId": request_id,
            }
        ]


async def test_reliability_15_reading_a_customer_twice_in_one_request_is_one_event(
    client, client_for
):
    # given
    jane = await create_person(client)
    steward = await client_for(Role.STEWARD, Purpose.STEWARDSHIP)

    # when
    body = await gql(steward, TWICE, {"id": jane.id})

    # then
    assert_no_errors(body)
    reads = [event for event in await _trail(client, jane.id) if event["role"] == "steward"]
    assert [(event["action"], event["fields"]) for event in reads] == [
        ("read", ["Customer.familyName", "PhoneNumber.number"])
    ]


@pytest.mark.parametrize(
    ("role", "purpose"),
    [(Role.ANALYST, Purpose.ANALYTICS), (Role.SUPPORT_AGENT, Purpose.SUPPORT)],
    ids=["masked", "no-pii-field"],
)
async def test_reliability_15_masked_reads_and_reads_without_pii_write_no_event(
    client, client_for, role, purpose
):
    # given
    jane = await create_person(client)
    reader = await client_for(role, purpose)
    query = CUSTOMERS if role is Role.ANALYST else NO_PII

    # when
    body = await gql(reader, query, {"id": jane.id} if query is NO_PII else None)

    # then
    assert_no_errors(body)
    assert [event for event in await _trail(client, jane.id) if event["role"] == role] == []


async def test_reliability_15_changes_are_audited(client, client_for):
    # given
    jane = await create_person(client)
    steward = await client_for(Role.STEWARD, Purpose.STEWARDSHIP)

    # when
    changed = await gql(
        steward, UPDATE, {"input": {"id": jane.id, "version": jane.version, "segment": "gold"}}
    )
    added = await gql(
        steward,
        ADD_PHONE,
        {"input": {"customerId": jane.id, "kind": "PHONE", "value": "+447911123000"}},
    )

    # then
    assert_no_errors(changed)
    assert_no_errors(added)
    events = [
        (event["action"], event["fields"])
        for event in await _trail(client, jane.id)
        if event["role"] == "steward"
    ]
    assert ("update", ["segment"]) in events
    assert ("add_contact_point", ["phone"]) in events


async def test_reliability_15_a_customer_sees_who_read_their_record_and_why(client, client_for):
    # given
    jane = await create_person(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, TWICE, {"id": jane.id}))
    as_jane = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)

    # when
    body = await gql(as_jane, MY_ACCESS_LOG)

    # then
    events = [edge["node"] for edge in assert_no_errors(body)["myAccessLog"]["edges"]]
    assert [(e["role"], e["purpose"], e["action"]) for e in events] == [
        ("support_agent", "support", "read")
    ]
    assert events[0]["fields"] == ["Customer.familyName", "PhoneNumber.number"]


async def test_reliability_15_my_access_log_shows_reads_only_and_only_ones_own(client, client_for):
    # given: a change to Jane (not a read) and a read of John
    jane = await create_person(client)
    john = await create_john(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, TWICE, {"id": john.id}))
    as_jane = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)

    # when
    body = await gql(as_jane, MY_ACCESS_LOG)

    # then: creating Jane (through the admin client) is a change, not a read
    assert assert_no_errors(body)["myAccessLog"]["edges"] == []


async def test_reliability_15_a_customer_sees_the_read_ledger_through_me(client, client_for):
    # given
    jane = await create_person(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, TWICE, {"id": jane.id}))
    as_jane = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)

    # when
    body = await gql(as_jane, ME_ACCESS_LOG)

    # then: the agent's read, with its purpose; Jane's own `me` read is not listed before it
    events = [edge["node"] for edge in assert_no_errors(body)["me"]["accessLog"]["edges"]]
    assert ("support_agent", "support", "read") in [
        (e["role"], e["purpose"], e["action"]) for e in events
    ]
    assert all(e["action"] == "read" for e in events)


@pytest.mark.parametrize("role", [Role.STEWARD, Role.SUPPORT_AGENT, Role.ANALYST], ids=str)
async def test_reliability_15_staff_other_than_admins_cannot_read_an_access_log(
    client, client_for, role
):
    # given
    jane = await create_person(client)
    caller = await client_for(role, Purpose.SUPPORT)

    # when
    body = await gql(caller, CUSTOMER_ACCESS_LOG, {"id": jane.id})

    # then: the field is refused (it alone: an error on it no longer nulls the customer)
    assert body["data"]["customer"] == {"accessLog": None}
    assert "FORBIDDEN" in error_codes(body)


async def test_an_admin_reads_a_customers_access_log(client, client_for):
    # given
    jane = await create_person(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, TWICE, {"id": jane.id}))

    # when
    body = await gql(client, CUSTOMER_ACCESS_LOG, {"id": jane.id})

    # then
    log = assert_no_errors(body)["customer"]["accessLog"]["edges"]
    assert {"role": "support_agent", "purpose": "support"} in [edge["node"] for edge in log]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=str)
async def test_reliability_15_the_audit_trail_is_for_admins_only(client, client_for, role):
    # given
    jane = await create_person(client)
    caller = await client_for(
        role, Purpose.SUPPORT, jane.store_id if role is Role.CUSTOMER else None
    )

    # when
    body = await gql(caller, TRAIL, {"id": jane.id})

    # then
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]


async def test_reliability_15_my_access_log_is_for_customers_only(client):
    # when
    body = await gql(client, MY_ACCESS_LOG)

    # then
    assert error_codes(body) == ["FORBIDDEN"]


async def test_reliability_15_logs_contain_no_pii(client, client_for, all_logs):
    # given: PII written and read by every kind of caller, and failing requests that echo input
    jane = await create_person(client)
    john = await create_john(client)
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    analyst = await client_for(Role.ANALYST, Purpose.ANALYTICS)
    as_jane = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)

    # when
    for caller in (client, agent, analyst):
        await gql(caller, CUSTOMERS)
    await gql(as_jane, "query { me { emails { address } phones { number } } }")
    await gql(
        client,
        "query($e: String!) { customers(filter: {email: $e}) { totalCount } }",
        {"e": JOHN_EMAIL},
    )
    await gql(
        client, ADD_PHONE, {"input": {"customerId": john.id, "kind": "PHONE", "value": JANE_PHONE}}
    )
    await gql(client, '{ customers(filter: {email: "' + JANE_EMAIL + '"}) { nope } }')
    logs = all_logs()

    # then
    assert "request" in logs  # the capture works: the access log line is there
    for value in (JANE_EMAIL, JANE_PHONE, JOHN_EMAIL, JOHN_PHONE, "Acacia", "LS1 4AP"):
        assert value not in logs
    assert logging.getLogger().level == logging.DEBUG


async def test_reliability_15_a_read_that_cannot_be_audited_returns_no_data(client, monkeypatch):
    # given a customer, and an audit log that cannot be written
    person = await create_person(client)

    async def broken(*_args: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("schema.context.write_request_audit", broken)

    # when personal data is read
    response = await client.post(
        "/graphql",
        json={"query": TWICE, "variables": {"id": person.id}},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    # then nothing of it leaves: a clean, retryable error instead
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "data" not in response.json()
    assert person.phone not in response.text
    assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]


READERS = 8  # C360_MAX_IN_FLIGHT's default: more would queue behind the held requests


async def test_reliability_15_concurrent_reads_share_audit_commits(client, monkeypatch):
    # given a customer, a caller already authenticated (its key cached), and requests that
    # hand their audit rows to the writer only once all of them have read her data
    person = await create_person(client)
    await _post(client, NO_PII, {"id": person.id})
    arrived, all_arrived = 0, asyncio.Event()
    write_rows = AuditWriter.write

    async def together(self: AuditWriter, rows: Any) -> None:
        nonlocal arrived
        arrived += 1
        if arrived == READERS:
            all_arrived.set()
        await asyncio.wait_for(all_arrived.wait(), timeout=30)
        await write_rows(self, rows)

    monkeypatch.setattr(AuditWriter, "write", together)
    commits: list[object] = []

    def count(connection: object) -> None:
        if all_arrived.is_set():  # the audit's, not a key's or a session's before it
            commits.append(connection)

    # when eight requests read her personal data at the same time
    event.listen(Engine, "commit", count)
    try:
        responses = await asyncio.gather(
            *(_post(client, TWICE, {"id": person.id}) for _ in range(READERS))
        )
    finally:
        event.remove(Engine, "commit", count)

    # then each request's read is in the trail, all written by one shared commit
    request_ids = {response.headers["x-request-id"] for response in responses}
    reads = [e for e in await _trail(client, person.id) if e["action"] == "read"]
    assert request_ids <= {e["requestId"] for e in reads}
    assert len(commits) == 1


async def test_reliability_15_a_failed_audit_commit_returns_no_data(client, monkeypatch):
    # given a customer, and an audit transaction that fails when committed
    person = await create_person(client)

    async def failing(*_args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Database, "write", failing)

    # when two requests read her personal data at the same time
    responses = await asyncio.gather(
        *(
            client.post(
                "/graphql",
                json={"query": TWICE, "variables": {"id": person.id}},
                headers={"accept": GRAPHQL_RESPONSE},
            )
            for _ in range(2)
        )
    )

    # then neither returns any of it
    for response in responses:
        assert response.status_code == 503
        assert "data" not in response.json()
        assert person.phone not in response.text
