"""Every write path puts its change event in the outbox, in the transaction of the change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.events.kinds import EventKind
from app.events.outbox import emit
from app.store.models import OutboxEvent
from tests.conftest import Gateway
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id

UPDATE = """
mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
ADD_EMAIL = """
mutation($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }
"""
CONSENT = """
mutation($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""
INTERACTION = """
mutation($input: RecordInteractionInput!) { recordInteraction(input: $input) { id } }
"""
METRIC = """
mutation($input: RecordMetricInput!) { recordMetric(input: $input) { name } }
"""
MERGE = """
mutation($survivor: ID!, $merged: ID!) {
  mergeCustomers(survivorId: $survivor, mergedId: $merged) { id }
}
"""
UNMERGE = "mutation($id: ID!) { unmergeCustomer(id: $id) { restored { id } } }"
ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"


async def _events(gateway: Gateway) -> list[OutboxEvent]:
    async with gateway.db.session() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


async def test_each_mutation_writes_one_event_naming_fields_not_values(gateway: Gateway):
    # given
    client = gateway.client
    jane = await create_customer(client, givenName="Jane", familyName="Doe")
    john = await create_customer(client, givenName="John", familyName="Roe")
    jane_id, john_id = node_id(jane["id"]), node_id(john["id"])

    # when
    for query, variables in [
        (UPDATE, {"input": {"id": jane["id"], "version": jane["version"], "segment": "vip"}}),
        (
            ADD_EMAIL,
            {"input": {"customerId": jane["id"], "kind": "EMAIL", "value": "jane@example.com"}},
        ),
        (
            CONSENT,
            {
                "input": {
                    "customerId": jane["id"],
                    "purpose": "MARKETING",
                    "channel": "EMAIL",
                    "status": "GRANTED",
                }
            },
        ),
        (
            INTERACTION,
            {
                "input": {
                    "customerId": jane["id"],
                    "channel": "phone",
                    "kind": "call",
                    "summary": "x",
                }
            },
        ),
        (METRIC, {"input": {"customerId": jane["id"], "name": "churn_risk", "value": 0.7}}),
        (MERGE, {"survivor": jane["id"], "merged": john["id"]}),
        (UNMERGE, {"id": john["id"]}),
    ]:
        assert_no_errors(await gql(client, query, variables))

    # then: each mutation's own event, and the recomputes that followed the consent and the
    # interaction (their metric values changed) wrote theirs
    written = await _events(gateway)
    events = [(e.kind, e.customer_id, e.changed) for e in written if e.source != "recompute"]
    recomputed = {e.customer_id for e in written if e.source == "recompute"}
    assert recomputed == {jane_id}
    assert {e.kind for e in written if e.source == "recompute"} == {EventKind.METRIC_CHANGED}
    assert events == [
        (EventKind.PROFILE_CHANGED, jane_id, ["family_name", "given_name"]),
        (EventKind.PROFILE_CHANGED, john_id, ["family_name", "given_name"]),
        (EventKind.PROFILE_CHANGED, jane_id, ["segment"]),
        (EventKind.PROFILE_CHANGED, jane_id, ["email"]),
        (EventKind.CONSENT_CHANGED, jane_id, ["marketing:email"]),
        (EventKind.INTERACTION_RECORDED, jane_id, ["interactions"]),
        (EventKind.METRIC_CHANGED, jane_id, ["churn_risk"]),
        (EventKind.MERGED, jane_id, ["merged_into"]),
        (EventKind.MERGED, john_id, ["merged_into"]),
        (EventKind.UNMERGED, jane_id, ["merged_into"]),
        (EventKind.UNMERGED, john_id, ["merged_into"]),
    ]
    rendered = repr([(e.changed, e.source) for e in await _events(gateway)])
    assert "jane@example.com" not in rendered and "vip" not in rendered

    # and an erasure takes the person's earlier events with it, leaving its own
    assert_no_errors(await gql(client, ERASE, {"id": john["id"]}))
    after = [(e.kind, e.customer_id, e.changed) for e in await _events(gateway)]
    assert [e for e in after if e[1] == john_id] == [(EventKind.ERASED, john_id, [])]
    assert [e for e in after if e[1] != john_id] == [
        (e.kind, e.customer_id, e.changed) for e in written if e.customer_id != john_id
    ]


async def test_a_refused_change_emits_nothing(gateway: Gateway):
    # given a customer updated once (its version moved on)
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    update = {"input": {"id": jane["id"], "version": jane["version"], "segment": "a"}}
    assert_no_errors(await gql(gateway.client, UPDATE, update))
    before = len(await _events(gateway))

    # when an update with the stale version is refused
    body = await gql(gateway.client, UPDATE, update)

    # then
    assert error_codes(body) == ["CONFLICT"]
    assert len(await _events(gateway)) == before


async def test_an_event_emitted_in_a_transaction_that_rolls_back_is_not_kept(gateway: Gateway):
    # given
    jane = await create_customer(gateway.client, givenName="Jane", familyName="Doe")
    before = len(await _events(gateway))
    notified: list[int] = []
    gateway.db.events_committed.append(lambda: notified.append(1))

    # when the transaction emits, then fails
    with pytest.raises(RuntimeError):
        async with gateway.db.transaction() as session:
            emit(session, EventKind.PROFILE_CHANGED, [node_id(jane["id"])], changed=["segment"])
            await session.flush()
            raise RuntimeError("the change failed")

    # then nothing is kept and no dispatcher is woken
    assert len(await _events(gateway)) == before
    assert notified == []
