"""Every customer mutation: normalization, optimistic concurrency, idempotence and conflicts."""

from __future__ import annotations

import asyncio

import pytest

from tests.graphql_client import (
    assert_no_errors,
    create_customer,
    error_codes,
    global_id,
    gql,
)

CREATE = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    id version givenName familyName birthDate locale lifecycleStage profileType segment loyaltyId
    emails { address isPrimary }
    phones { number isPrimary }
    addresses { label street city postcode country isPrimary }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    id version givenName middleName familyName birthDate locale lifecycleStage segment updatedAt
  }
}
"""

READ = """
query Read($id: ID!) {
  customer(id: $id) {
    version givenName familyName segment updatedAt
    emails { id address isPrimary verifiedAt }
    phones { id number isPrimary }
    addresses { id label city }
    identities { system externalId }
  }
}
"""

ADD_CONTACT_POINT = """
mutation Add($input: AddContactPointInput!) {
  addContactPoint(input: $input) {
    emails { id address isPrimary verifiedAt }
    phones { number isPrimary }
    addresses { label street city country isPrimary }
  }
}
"""

REMOVE_CONTACT_POINT = """
mutation Remove($id: ID!) {
  removeContactPoint(id: $id) { id emails { address } }
}
"""

RECORD_INTERACTION = """
mutation Record($input: RecordInteractionInput!) {
  recordInteraction(input: $input) { id channel kind summary occurredAt source details }
}
"""

RECORD_METRIC = """
mutation Record($input: RecordMetricInput!) {
  recordMetric(input: $input) { name value observedAt source method details }
}
"""

METRICS = """
query Metrics($id: ID!) { customer(id: $id) { metrics { name value } } }
"""

LINK = """
mutation Link($input: LinkSourceIdentityInput!) {
  linkSourceIdentity(input: $input) { id identities { system externalId method } }
}
"""


async def _add_contact_point(client, customer_id: str, **point):
    return await gql(client, ADD_CONTACT_POINT, {"input": {"customerId": customer_id, **point}})


async def _read(client, customer_id: str):
    return assert_no_errors(await gql(client, READ, {"id": customer_id}))["customer"]


# createCustomer


async def test_create_customer_normalizes_contact_points(client):
    # when
    body = await gql(
        client,
        CREATE,
        {
            "input": {
                "givenName": "  Jane ",
                "familyName": "Doe",
                "birthDate": "1980-02-29",
                "locale": "en-GB",
                "lifecycleStage": "ACTIVE",
                "profileType": "PERSON",
                "segment": "vip",
                "loyaltyId": "LOY-1",
                "emails": ["Jane.Doe@Example.COM", "jd@work.example"],
                "phones": ["07911 123456", "+33 6 12 34 56 78"],
                "addresses": [{"street": "1 High St", "city": "Leeds", "country": "gb"}],
            }
        },
    )

    # then
    created = assert_no_errors(body)["createCustomer"]
    assert created["version"] == 1
    assert (created["givenName"], created["familyName"]) == ("Jane", "Doe")
    assert (created["birthDate"], created["locale"]) == ("1980-02-29", "en_GB")
    assert (created["lifecycleStage"], created["profileType"]) == ("ACTIVE", "PERSON")
    assert (created["segment"], created["loyaltyId"]) == ("vip", "LOY-1")
    assert created["emails"] == [
        {"address": "jane.doe@example.com", "isPrimary": True},
        {"address": "jd@work.example", "isPrimary": False},
    ]
    assert created["phones"] == [
        {"number": "+447911123456", "isPrimary": True},
        {"number": "+33612345678", "isPrimary": False},
    ]
    assert created["addresses"] == [
        {
            "label": "home",
            "street": "1 High St",
            "city": "Leeds",
            "postcode": None,
            "country": "GB",
            "isPrimary": True,
        }
    ]


async def test_create_customer_defaults(client):
    # when
    body = await gql(client, CREATE, {"input": {}})

    # then
    created = assert_no_errors(body)["createCustomer"]
    assert (created["lifecycleStage"], created["profileType"]) == ("PROSPECT", "PERSON")
    assert created["emails"] == created["phones"] == created["addresses"] == []


async def test_create_customer_with_one_bad_email_writes_nothing(client):
    # when
    body = await gql(
        client, CREATE, {"input": {"givenName": "Jane", "emails": ["ok@example.com", "nope"]}}
    )

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    listed = await gql(client, "{ customers { totalCount } }")
    assert assert_no_errors(listed)["customers"]["totalCount"] == 0


async def test_create_customer_with_a_taken_loyalty_id_is_conflict(client):
    # given
    await create_customer(client, loyaltyId="LOY-1")

    # when
    body = await gql(client, CREATE, {"input": {"loyaltyId": "LOY-1"}})

    # then
    assert error_codes(body) == ["CONFLICT"]
    listed = await gql(client, "{ customers { totalCount } }")
    assert assert_no_errors(listed)["customers"]["totalCount"] == 1


# updateCustomer


async def test_update_customer_changes_fields_and_bumps_the_version(client):
    # given
    created = await create_customer(client, givenName="Jane", familyName="Doe", segment="mass")
    before = await _read(client, created["id"])

    # when
    body = await gql(
        client,
        UPDATE,
        {
            "input": {
                "id": created["id"],
                "version": 1,
                "familyName": "Smith",
                "lifecycleStage": "PAST",
                "locale": "fr_FR",
            }
        },
    )

    # then
    updated = assert_no_errors(body)["updateCustomer"]
    assert updated["version"] == 2
    assert (updated["givenName"], updated["familyName"]) == ("Jane", "Smith")
    assert (updated["lifecycleStage"], updated["locale"]) == ("PAST", "fr_FR")
    after = await _read(client, created["id"])
    assert (after["version"], after["familyName"], after["segment"]) == (2, "Smith", "mass")
    assert after["updatedAt"] > before["updatedAt"]


async def test_update_customer_clears_a_field_with_null_and_keeps_omitted_ones(client):
    # given
    created = await create_customer(client, givenName="Jane", familyName="Doe", segment="vip")

    # when
    body = await gql(
        client, UPDATE, {"input": {"id": created["id"], "version": 1, "segment": None}}
    )

    # then
    updated = assert_no_errors(body)["updateCustomer"]
    assert updated["version"] == 2
    stored = await _read(client, created["id"])
    assert (stored["givenName"], stored["familyName"], stored["segment"]) == ("Jane", "Doe", None)


async def test_update_customer_with_a_stale_version_is_conflict_and_writes_nothing(client):
    # given
    created = await create_customer(client, familyName="Doe")
    first = await gql(
        client, UPDATE, {"input": {"id": created["id"], "version": 1, "familyName": "Smith"}}
    )
    assert_no_errors(first)

    # when
    body = await gql(
        client, UPDATE, {"input": {"id": created["id"], "version": 1, "familyName": "Jones"}}
    )

    # then
    assert body["data"] == {"updateCustomer": None}
    assert error_codes(body) == ["CONFLICT"]
    assert body["errors"][0]["extensions"]["currentVersion"] == 2
    stored = await _read(client, created["id"])
    assert (stored["version"], stored["familyName"]) == (2, "Smith")


async def test_concurrent_updates_with_the_same_version_exactly_one_wins(client):
    # given
    created = await create_customer(client, familyName="Doe")
    names = [f"Name{index}" for index in range(4)]

    # when
    bodies = await asyncio.gather(
        *(
            gql(client, UPDATE, {"input": {"id": created["id"], "version": 1, "familyName": n}})
            for n in names
        )
    )

    # then
    winners = [body for body in bodies if "errors" not in body]
    assert len(winners) == 1
    assert sorted(error_codes(body)[0] for body in bodies if "errors" in body) == ["CONFLICT"] * 3
    stored = await _read(client, created["id"])
    assert stored["version"] == 2
    assert stored["familyName"] == winners[0]["data"]["updateCustomer"]["familyName"]


async def test_update_of_an_unknown_customer_is_not_found(client):
    # when
    body = await gql(
        client, UPDATE, {"input": {"id": global_id("Customer", "missing"), "version": 1}}
    )

    # then
    assert error_codes(body) == ["NOT_FOUND"]


async def test_update_customer_loyalty_id_moves_the_loyalty_identity(client):
    # given
    created = await create_customer(client, loyaltyId="LOY-1")

    # when
    body = await gql(
        client, UPDATE, {"input": {"id": created["id"], "version": 1, "loyaltyId": "LOY-2"}}
    )

    # then
    assert_no_errors(body)
    assert (await _read(client, created["id"]))["identities"] == [
        {"system": "loyalty", "externalId": "LOY-2"}
    ]


# addContactPoint / removeContactPoint


async def test_add_an_email(client):
    # given
    created = await create_customer(client, emails=["first@example.com"])

    # when
    body = await _add_contact_point(
        client,
        created["id"],
        kind="EMAIL",
        value=" Second@Example.com",
        verified=True,
    )

    # then
    emails = assert_no_errors(body)["addContactPoint"]["emails"]
    assert [(e["address"], e["isPrimary"]) for e in emails] == [
        ("first@example.com", True),
        ("second@example.com", False),
    ]
    assert emails[1]["verifiedAt"] is not None


async def test_add_a_phone(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(
        client,
        ADD_CONTACT_POINT,
        {"input": {"customerId": created["id"], "kind": "PHONE", "value": "020 7946 0018"}},
    )

    # then
    phones = assert_no_errors(body)["addContactPoint"]["phones"]
    assert phones == [{"number": "+442079460018", "isPrimary": False}]


async def test_add_an_address(client):
    # given
    created = await create_customer(client)

    # when
    body = await _add_contact_point(
        client,
        created["id"],
        kind="ADDRESS",
        address={
            "street": "5 Dock St",
            "city": "Hull",
            "country": "gb",
            "label": "shipping",
        },
        isPrimary=True,
    )

    # then
    addresses = assert_no_errors(body)["addContactPoint"]["addresses"]
    assert addresses == [
        {
            "label": "shipping",
            "street": "5 Dock St",
            "city": "Hull",
            "country": "GB",
            "isPrimary": True,
        }
    ]


async def test_adding_a_primary_email_demotes_the_old_primary(client):
    # given
    created = await create_customer(client, emails=["old@example.com"])

    # when
    body = await _add_contact_point(
        client,
        created["id"],
        kind="EMAIL",
        value="new@example.com",
        isPrimary=True,
    )

    # then
    emails = assert_no_errors(body)["addContactPoint"]["emails"]
    assert [(e["address"], e["isPrimary"]) for e in emails] == [
        ("new@example.com", True),
        ("old@example.com", False),
    ]


async def test_making_an_existing_email_primary_switches_the_primary(client):
    # given
    created = await create_customer(client, emails=["a@example.com", "b@example.com"])

    # when
    body = await _add_contact_point(
        client,
        created["id"],
        kind="EMAIL",
        value="B@example.com",
        isPrimary=True,
    )

    # then
    emails = assert_no_errors(body)["addContactPoint"]["emails"]
    assert [(e["address"], e["isPrimary"]) for e in emails] == [
        ("b@example.com", True),
        ("a@example.com", False),
    ]


async def test_adding_a_duplicate_contact_point_is_idempotent(client):
    # given
    created = await create_customer(client, emails=["jane@example.com"], phones=["07911123456"])
    before = await _read(client, created["id"])

    # when
    for kind, value in (("EMAIL", "JANE@example.com"), ("PHONE", "+44 7911 123456")):
        body = await gql(
            client,
            ADD_CONTACT_POINT,
            {"input": {"customerId": created["id"], "kind": kind, "value": value}},
        )
        assert_no_errors(body)

    # then
    after = await _read(client, created["id"])
    assert after["emails"] == before["emails"]
    assert after["phones"] == before["phones"]


@pytest.mark.parametrize(
    "point",
    [
        {"kind": "EMAIL", "value": "not-an-email"},
        {"kind": "PHONE", "value": "12"},
        {"kind": "EMAIL"},
        {"kind": "ADDRESS"},
        {"kind": "ADDRESS", "address": {"street": "1 A St", "city": "Leeds", "country": "GBR"}},
        {
            "kind": "ADDRESS",
            "address": {"street": "1 A St", "city": "Leeds", "country": "GB", "label": "office"},
        },
    ],
)
async def test_add_an_invalid_contact_point_is_bad_user_input(client, point):
    # given
    created = await create_customer(client)

    # when
    body = await gql(client, ADD_CONTACT_POINT, {"input": {"customerId": created["id"], **point}})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    stored = await _read(client, created["id"])
    assert stored["emails"] == stored["phones"] == stored["addresses"] == []


async def test_remove_a_contact_point(client):
    # given
    created = await create_customer(client, emails=["a@example.com", "b@example.com"])
    emails = (await _read(client, created["id"]))["emails"]

    # when
    body = await gql(client, REMOVE_CONTACT_POINT, {"id": emails[1]["id"]})

    # then
    removed = assert_no_errors(body)["removeContactPoint"]
    assert removed["id"] == created["id"]
    assert removed["emails"] == [{"address": "a@example.com"}]


async def test_remove_an_unknown_contact_point_is_not_found(client):
    # when
    body = await gql(client, REMOVE_CONTACT_POINT, {"id": global_id("ContactPoint", 999999)})

    # then
    assert body["data"] == {"removeContactPoint": None}
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("wrong_id", [global_id("Customer", "1"), global_id("ContactPoint", "abc")])
async def test_remove_contact_point_with_a_wrong_id_is_bad_user_input(client, wrong_id):
    # given
    await create_customer(client, emails=["a@example.com"])

    # when
    body = await gql(client, REMOVE_CONTACT_POINT, {"id": wrong_id})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


# recordInteraction / recordMetric


async def test_record_an_interaction(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(
        client,
        RECORD_INTERACTION,
        {
            "input": {
                "customerId": created["id"],
                "channel": "Phone",
                "kind": "Complaint",
                "summary": "Late refund",
                "occurredAt": "2024-03-01T10:00:00+01:00",
                "details": {"ticket": 42},
            }
        },
    )

    # then
    recorded = assert_no_errors(body)["recordInteraction"]
    assert recorded["id"]
    assert (recorded["channel"], recorded["kind"], recorded["summary"]) == (
        "phone",
        "complaint",
        "Late refund",
    )
    assert recorded["source"] == "gateway"
    assert recorded["details"] == {"ticket": 42}


ENGAGEMENT = """
query($id: ID!) { customer(id: $id) { metrics(names: ["engagement_score"]) { name value } } }
"""


async def test_recording_an_interaction_recomputes_the_customers_engagement(client):
    # given: a new customer has no engagement score yet
    created = await create_customer(client)
    before = assert_no_errors(await gql(client, ENGAGEMENT, {"id": created["id"]}))
    assert before["customer"]["metrics"] == []

    # when
    recorded = {"customerId": created["id"], "channel": "web", "kind": "visit", "summary": "hi"}
    assert_no_errors(await gql(client, RECORD_INTERACTION, {"input": recorded}))

    # then
    after = assert_no_errors(await gql(client, ENGAGEMENT, {"id": created["id"]}))
    (score,) = after["customer"]["metrics"]
    assert score["name"] == "engagement_score" and score["value"] > 0


@pytest.mark.parametrize(
    "bad",
    [
        {"summary": "   "},
        {"channel": "x" * 33},
        {"occurredAt": "2024-03-01T10:00:00"},
        {"customerId": global_id("Customer", "missing")},
    ],
)
async def test_record_an_invalid_interaction_is_refused(client, bad):
    # given
    created = await create_customer(client)
    given = {"customerId": created["id"], "channel": "phone", "kind": "note", "summary": "Hi"}

    # when
    body = await gql(client, RECORD_INTERACTION, {"input": {**given, **bad}})

    # then
    assert error_codes(body) == ["NOT_FOUND" if "customerId" in bad else "BAD_USER_INPUT"]


async def test_record_a_metric_becomes_the_current_value(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(
        client,
        RECORD_METRIC,
        {
            "input": {
                "customerId": created["id"],
                "name": "NPS",
                "value": 9,
                "method": "survey",
                "details": {"survey": "q1"},
            }
        },
    )

    # then
    recorded = assert_no_errors(body)["recordMetric"]
    assert (recorded["name"], recorded["value"], recorded["source"]) == ("nps", 9.0, "gateway")
    assert (recorded["method"], recorded["details"]) == ("survey", {"survey": "q1"})
    metrics = assert_no_errors(await gql(client, METRICS, {"id": created["id"]}))
    assert metrics["customer"]["metrics"] == [{"name": "nps", "value": 9.0}]


@pytest.mark.parametrize("literal", ["1e400", "-1e400"])
async def test_record_an_infinite_metric_is_bad_user_input(client, literal):
    # given
    created = await create_customer(client)
    mutation = (
        'mutation($id: ID!) { recordMetric(input: {customerId: $id, name: "nps", value: '
        + literal
        + "}) { value } }"
    )

    # when
    body = await gql(client, mutation, {"id": created["id"]})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    metrics = assert_no_errors(await gql(client, METRICS, {"id": created["id"]}))
    assert metrics["customer"]["metrics"] == []


async def test_record_a_nan_metric_is_refused(client):
    # given: JSON has no NaN; a client that sends one anyway is refused before execution
    created = await create_customer(client)
    payload = (
        '{"query": "mutation($id: ID!, $v: Float!) { recordMetric(input: {customerId: $id, '
        'name: \\"nps\\", value: $v}) { value } }", "variables": {"id": "'
        + created["id"]
        + '", "v": NaN}}'
    )

    # when
    response = await client.post(
        "/graphql", content=payload, headers={"content-type": "application/json"}
    )

    # then
    assert response.status_code == 400
    metrics = assert_no_errors(await gql(client, METRICS, {"id": created["id"]}))
    assert metrics["customer"]["metrics"] == []


# linkSourceIdentity


async def test_link_source_identity_is_idempotent(client):
    # given
    created = await create_customer(client)
    link = {"customerId": created["id"], "system": "odoo", "externalId": "res.partner:7"}

    # when
    first = await gql(client, LINK, {"input": link})
    second = await gql(client, LINK, {"input": {**link, "system": "Odoo"}})

    # then
    expected = [{"system": "odoo", "externalId": "res.partner:7", "method": "MANUAL"}]
    assert assert_no_errors(first)["linkSourceIdentity"]["identities"] == expected
    assert assert_no_errors(second)["linkSourceIdentity"]["identities"] == expected


async def test_link_an_identity_linked_to_another_customer_is_conflict(client):
    # given
    jane = await create_customer(client, givenName="Jane")
    john = await create_customer(client, givenName="John")
    link = {"system": "hubspot", "externalId": "501"}
    assert_no_errors(await gql(client, LINK, {"input": {"customerId": jane["id"], **link}}))

    # when
    body = await gql(client, LINK, {"input": {"customerId": john["id"], **link}})

    # then
    assert error_codes(body) == ["CONFLICT"]
    assert (await _read(client, john["id"]))["identities"] == []


@pytest.mark.parametrize("bad", [{"system": " "}, {"externalId": ""}])
async def test_link_an_empty_identity_is_bad_user_input(client, bad):
    # given
    created = await create_customer(client)
    link = {"customerId": created["id"], "system": "odoo", "externalId": "1"}

    # when
    body = await gql(client, LINK, {"input": {**link, **bad}})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
