"""Data subject export: `exportCustomerData`, `requestMyDataExport` (RELIABILITY 16)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.privacy.principals import Purpose, Role
from app.store.models import (
    AuditEvent,
    ConsentEvent,
    ContactPoint,
    Customer,
    Interaction,
    MatchCandidate,
    MetricObservation,
)
from simulators import FaultSettings
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.privacy.people import JANE_EMAIL, SUMMARY, create_john, create_person
from tests.sources.conftest import SYSTEMS, connectors_config, linked_to_all

EXPORT = """
query Export($id: ID!) {
  exportCustomerData(customerId: $id) {
    customer generatedAt document
    sources { system status }
  }
}
"""
MY_EXPORT = "mutation { requestMyDataExport { customer document sources { system status } } }"
READ_NAME = "query Read($id: ID!) { customer(id: $id) { displayName } }"
RECORD_METRIC = """
mutation Metric($input: RecordMetricInput!) { recordMetric(input: $input) { name } }
"""
SET_PREFERENCES = """
mutation Prefs($input: SetPreferencesInput!) { setPreferences(input: $input) { frequency } }
"""
UPDATE_MY_PROFILE = """
mutation Me($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { version } }
"""
AUDIT = """
query Audit($id: ID!) { auditTrail(customerId: $id) { edges { node { action principal } } } }
"""
SOURCE_COUNTS = """
query Counts($id: ID!) {
  customer(id: $id) {
    crm { email }
    orders(first: 1) { totalCount }
    tickets { system subject }
    surveyResponses(first: 1) { totalCount }
  }
}
"""
EXPORT_ALLOWED = {Role.ADMIN, Role.STEWARD}
PURPOSES = {
    Role.ADMIN: Purpose.ADMINISTRATION,
    Role.STEWARD: Purpose.STEWARDSHIP,
    Role.SUPPORT_AGENT: Purpose.SUPPORT,
    Role.ANALYST: Purpose.ANALYTICS,
    Role.PERSONALIZATION: Purpose.PERSONALIZATION,
    Role.CUSTOMER: Purpose.SELF_SERVICE,
}


async def _export(client, customer_id: str) -> dict:
    body = await gql(client, EXPORT, {"id": customer_id})
    return assert_no_errors(body)["exportCustomerData"]


async def test_reliability_16_the_export_holds_every_stored_row_of_the_subject(
    client, client_for, db
):
    # given: Jane with contact points, a note, a consent, metrics, preferences and a reader
    jane = await create_person(client)
    john = await create_john(client)
    for value in (7, 9):
        metric = {"customerId": jane.id, "name": "nps", "value": value}
        assert_no_errors(await gql(client, RECORD_METRIC, {"input": metric}))
    prefs = {"customerId": jane.id, "frequency": "weekly", "topics": ["audio"]}
    assert_no_errors(await gql(client, SET_PREFERENCES, {"input": prefs}))
    agent = await client_for(Role.SUPPORT_AGENT, Purpose.SUPPORT)
    assert_no_errors(await gql(agent, READ_NAME, {"id": jane.id}))

    # when
    export = await _export(client, jane.id)

    # then: each table's rows about Jane, and only hers, are in the document
    doc = export["document"]
    store = doc["master_store"]
    async with db.session() as session:

        async def ids_of(model) -> list[int]:
            rows = await session.scalars(select(model).where(model.customer_id == jane.store_id))
            return sorted(row.id for row in rows)

        contact_ids = await ids_of(ContactPoint)
        consent_ids = await ids_of(ConsentEvent)
        metric_ids = await ids_of(MetricObservation)
        interaction_ids = await ids_of(Interaction)
        audit = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.customer_id == jane.store_id, AuditEvent.action != "export"
            )
        )
        audit_ids = sorted(row.id for row in audit)
    assert export["customer"] == jane.id
    assert doc["customer_id"] == jane.store_id
    assert store["customer"]["given_name"] == "Jane"
    assert store["customer"]["birth_date"] == "1980-02-03"
    assert sorted(row["id"] for row in store["contact_points"]) == contact_ids
    assert JANE_EMAIL in {row["value"] for row in store["contact_points"]}
    assert john.email not in str(doc)
    assert [row["external_id"] for row in store["identities"]] == ["LOY-1001"]
    assert sorted(row["id"] for row in store["consents"]["history"]) == consent_ids
    assert [row["state"] for row in store["consents"]["current"]] == ["granted"]
    assert sorted(row["id"] for row in store["metrics"]) == metric_ids
    # the two recorded answers (recording Jane's note also stored her recomputed metrics)
    recorded = [row["value"] for row in store["metrics"] if row["source"] == "gateway"]
    assert sorted(recorded) == [7.0, 9.0]
    assert store["preferences"][0]["topics"] == ["audio"]
    assert sorted(row["id"] for row in store["interactions"]) == interaction_ids
    assert [entry["summary"] for entry in doc["timeline"]] == [SUMMARY]
    # every audit row written before the export (the export's own row comes after it)
    assert sorted(row["id"] for row in doc["access_log"]) == audit_ids
    assert "read" in {row["action"] for row in doc["access_log"]}
    # no source system is linked, none is configured: each coded type is reported by its own
    # name, none failed the export
    assert {(s["system"], s["status"]) for s in export["sources"]} == {
        (system, "NOT_LINKED") for system in ("odoo", "hubspot", "surveymonkey")
    }


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_only_admins_and_stewards_export_a_customer(client, client_for, role):
    # given
    jane = await create_person(client)
    subject = jane.store_id if role is Role.CUSTOMER else None
    caller = await client_for(role, PURPOSES[role], subject)

    # when
    body = await gql(caller, EXPORT, {"id": jane.id})

    # then
    if role in EXPORT_ALLOWED:
        assert assert_no_errors(body)["exportCustomerData"]["customer"] == jane.id
    else:
        assert body["data"] == {"exportCustomerData": None}
        assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_a_customer_exports_their_own_record_and_only_theirs(client, client_for, role):
    # given
    jane = await create_person(client)
    await create_john(client)
    subject = jane.store_id if role is Role.CUSTOMER else None
    caller = await client_for(role, PURPOSES[role], subject)

    # when
    body = await gql(caller, MY_EXPORT)

    # then
    if role is Role.CUSTOMER:
        export = assert_no_errors(body)["requestMyDataExport"]
        assert export["customer"] == jane.id
        assert export["document"]["customer_id"] == jane.store_id
        assert "john" not in str(export["document"]).lower()
    else:
        assert body["data"] == {"requestMyDataExport": None}
        assert error_codes(body) == ["FORBIDDEN"]


async def test_an_export_is_audited(client):
    # given
    jane = await create_person(client)

    # when
    await _export(client, jane.id)

    # then
    trail = assert_no_errors(await gql(client, AUDIT, {"id": jane.id}))["auditTrail"]
    assert trail["edges"][0]["node"]["action"] == "export"


@pytest.mark.parametrize(
    ("customer_id", "code"),
    [
        (global_id("Customer", "00000000-0000-0000-0000-000000000000"), "NOT_FOUND"),
        (global_id("ContactPoint", "1"), "BAD_USER_INPUT"),
        ("not a global id", "BAD_USER_INPUT"),
    ],
)
async def test_exporting_an_unknown_or_malformed_id_is_a_clean_error(client, customer_id, code):
    # when
    body = await gql(client, EXPORT, {"id": customer_id})

    # then
    assert body["data"] == {"exportCustomerData": None}
    assert error_codes(body) == [code]


async def test_reliability_16_the_export_holds_live_data_from_every_linked_system(
    start_gateway, world
):
    # given
    customer = global_id("Customer", linked_to_all(world)[0])

    # A budget for four systems' whole data at once (Zendesk's comments are a call per ticket),
    # on a machine the suite shares.
    async with start_gateway(config=connectors_config(budget=10.0)) as gateway:
        # when
        export = await _export(gateway.client, customer)
        counts = assert_no_errors(await gql(gateway.client, SOURCE_COUNTS, {"id": customer}))

    # then: every system answered, and its data is what the graph serves for the customer
    assert {(s["system"], s["status"]) for s in export["sources"]} == {
        (system, "OK") for system in SYSTEMS
    }
    sources = export["document"]["sources"]
    profile = counts["customer"]
    assert sources["hubspot"]["data"]["contact"]["email"] == profile["crm"]["email"]
    for system in ("hubspot", "zendesk"):  # the CRM's tickets and the support desk's
        mine = [ticket for ticket in profile["tickets"] if ticket["system"] == system]
        assert len(sources[system]["data"]["tickets"]) == len(mine)
    assert len(sources["odoo"]["data"]["orders"]) == profile["orders"]["totalCount"]
    assert sources["odoo"]["data"]["partner"]["external_id"] in sources["odoo"]["external_ids"]
    responses = sources["surveymonkey"]["data"]["responses"]
    assert len(responses) == profile["surveyResponses"]["totalCount"]
    timeline_sources = {entry["source"] for entry in export["document"]["timeline"]}
    assert {"odoo", "hubspot"} <= timeline_sources


async def test_a_source_that_is_down_is_reported_in_the_export_not_failing_it(start_gateway, world):
    # given
    customer = global_id("Customer", linked_to_all(world)[0])

    async with start_gateway() as gateway:
        gateway.sources.break_("hubspot", FaultSettings(error_rate=1.0, error_status=503))

        # when
        export = await _export(gateway.client, customer)

    # then
    statuses = {s["system"]: s["status"] for s in export["sources"]}
    assert statuses == {"odoo": "OK", "hubspot": "ERROR", "surveymonkey": "OK", "zendesk": "OK"}
    hubspot = export["document"]["sources"]["hubspot"]
    assert hubspot["status"] == "ERROR"
    assert hubspot["data"] == {"contact": None, "tickets": None, "engagements": None}
    assert export["document"]["sources"]["odoo"]["data"]["partner"] is not None


async def test_reliability_16_the_export_holds_provenance_candidates_and_merged_records(
    client, client_for, db
):
    # given: Jane edits her profile herself (provenance), is a candidate duplicate of John,
    # and an older record of hers was merged into her (written directly: no mutation merges yet)
    jane = await create_person(client)
    john = await create_john(client)
    me = await client_for(Role.CUSTOMER, Purpose.SELF_SERVICE, jane.store_id)
    change = {"version": jane.version, "locale": "en-GB"}
    assert_no_errors(await gql(me, UPDATE_MY_PROFILE, {"input": change}))
    old = Customer(given_name="Jane", family_name="Doe-Old", merged_into=jane.store_id)
    async with db.transaction() as session:
        session.add(old)
        await session.flush()
        session.add(ContactPoint(customer_id=old.id, kind="email", value="jane.old@example.com"))
        session.add(MatchCandidate(left_id=jane.store_id, right_id=john.store_id, score=0.71))

    # when
    store = (await _export(client, jane.id))["document"]["master_store"]

    # then
    assert [(p["field"], p["system"]) for p in store["field_provenance"]] == [
        ("locale", "self_service")
    ]
    assert [(c["left_id"], c["right_id"]) for c in store["match_candidates"]] == [
        (jane.store_id, john.store_id)
    ]
    assert [r["family_name"] for r in store["merged_records"]] == ["Doe-Old"]
    assert "jane.old@example.com" in {p["value"] for p in store["contact_points"]}
