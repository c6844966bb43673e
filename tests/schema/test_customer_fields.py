"""A Customer's fields: contact points, identities, metrics, consents, preferences, timeline."""

from __future__ import annotations

import pytest

from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.schema.rows import at, insert_consents, insert_metrics, insert_preferences

CONTACT_POINTS = """
query ContactPoints($id: ID!, $label: String) {
  customer(id: $id) {
    displayName
    emails { address isPrimary label source verifiedAt }
    phones { number isPrimary }
    addresses(label: $label) {
      label street addressLine2 city postcode region country formatted isPrimary
    }
  }
}
"""

IDENTITIES = """
query Identities($id: ID!) {
  customer(id: $id) { identities { system externalId method score linkedAt } }
}
"""

LINK = """
mutation Link($input: LinkSourceIdentityInput!) {
  linkSourceIdentity(input: $input) { id }
}
"""

METRICS = """
query Metrics($id: ID!, $names: [String!]) {
  customer(id: $id) { metrics(names: $names) { name value previousValue trend observedAt } }
}
"""

METRIC_HISTORY = """
query MetricHistory($id: ID!, $name: String!, $from: DateTime, $to: DateTime, $first: Int) {
  customer(id: $id) {
    metricHistory(name: $name, from: $from, to: $to, first: $first) { value observedAt }
  }
}
"""

CONSENTS = """
query Consents($id: ID!) {
  customer(id: $id) {
    consents { purpose channel state granted expiresAt }
    consentHistory { purpose channel status capturedAt }
  }
}
"""

PREFERENCES = """
query Preferences($id: ID!) {
  customer(id: $id) { preferences { channels frequency topics productInterests } }
}
"""

INTERACTIONS = """
query Interactions($id: ID!, $first: Int, $after: String) {
  customer(id: $id) {
    interactions(first: $first, after: $after) {
      edges { cursor node { summary occurredAt channel kind } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""

RECORD_INTERACTION = """
mutation Record($input: RecordInteractionInput!) {
  recordInteraction(input: $input) { id }
}
"""

ADDRESSES = [
    {"street": "1 High St", "city": "Leeds", "country": "GB", "label": "home"},
    {
        "street": "2 Mill Rd",
        "addressLine2": "Unit 4",
        "city": "York",
        "postcode": "yo1 7hh",
        "region": "North Yorkshire",
        "country": "gb",
        "label": "billing",
    },
]


async def test_contact_points_of_a_customer(client):
    # given
    created = await create_customer(
        client,
        givenName="Jane",
        familyName="Doe",
        emails=["jane@example.com", "jd@work.example"],
        phones=["07911 123456"],
        addresses=ADDRESSES,
    )

    # when
    body = await gql(client, CONTACT_POINTS, {"id": created["id"]})

    # then
    customer = assert_no_errors(body)["customer"]
    assert customer["displayName"] == "Jane Doe"
    assert [(e["address"], e["isPrimary"]) for e in customer["emails"]] == [
        ("jane@example.com", True),
        ("jd@work.example", False),
    ]
    assert customer["emails"][0]["source"] == "gateway"
    assert customer["emails"][0]["verifiedAt"] is None
    assert customer["phones"] == [{"number": "+447911123456", "isPrimary": True}]
    assert customer["addresses"][1] == {
        "label": "billing",
        "street": "2 Mill Rd",
        "addressLine2": "Unit 4",
        "city": "York",
        "postcode": "YO1 7HH",
        "region": "North Yorkshire",
        "country": "GB",
        "formatted": "2 Mill Rd, Unit 4, YO1 7HH, York, North Yorkshire, GB",
        "isPrimary": False,
    }


@pytest.mark.parametrize(("label", "cities"), [("billing", ["York"]), ("HOME", ["Leeds"])])
async def test_addresses_filtered_by_label(client, label, cities):
    # given
    created = await create_customer(client, addresses=ADDRESSES)

    # when
    body = await gql(client, CONTACT_POINTS, {"id": created["id"], "label": label})

    # then
    assert [a["city"] for a in assert_no_errors(body)["customer"]["addresses"]] == cities


async def test_identities_list_every_linked_system(client):
    # given
    created = await create_customer(client, loyaltyId="LOY-9")
    linked = await gql(
        client,
        LINK,
        {"input": {"customerId": created["id"], "system": "HubSpot", "externalId": "501"}},
    )
    assert_no_errors(linked)

    # when
    body = await gql(client, IDENTITIES, {"id": created["id"]})

    # then
    identities = assert_no_errors(body)["customer"]["identities"]
    assert [(i["system"], i["externalId"], i["method"]) for i in identities] == [
        ("hubspot", "501", "MANUAL"),
        ("loyalty", "LOY-9", "DETERMINISTIC"),
    ]
    assert identities[1]["score"] == 1.0
    assert identities[0]["linkedAt"]


async def test_metrics_give_current_value_previous_value_and_trend(client, db):
    # given
    created = await create_customer(client)
    customer_id = node_id(created["id"])
    await insert_metrics(db, customer_id, "nps", (6, at(1)), (9, at(3)), (7, at(2)))
    await insert_metrics(db, customer_id, "csat", (4, at(1)), (3, at(2)))
    await insert_metrics(db, customer_id, "ces", (5, at(1)), (5, at(2)))
    await insert_metrics(db, customer_id, "churn_risk", (0.2, at(1)))

    # when
    body = await gql(client, METRICS, {"id": created["id"]})

    # then
    metrics = assert_no_errors(body)["customer"]["metrics"]
    assert [(m["name"], m["value"], m["previousValue"], m["trend"]) for m in metrics] == [
        ("ces", 5.0, 5.0, "FLAT"),
        ("churn_risk", 0.2, None, "NEW"),
        ("csat", 3.0, 4.0, "DOWN"),
        ("nps", 9.0, 7.0, "UP"),
    ]
    assert metrics[3]["observedAt"].startswith(at(3).isoformat()[:19])


async def test_metrics_filtered_by_names_in_any_case(client, db):
    # given
    created = await create_customer(client)
    customer_id = node_id(created["id"])
    await insert_metrics(db, customer_id, "nps", (6, at(1)))
    await insert_metrics(db, customer_id, "csat", (4, at(1)))

    # when
    body = await gql(client, METRICS, {"id": created["id"], "names": ["NPS", "unknown"]})

    # then
    assert [m["name"] for m in assert_no_errors(body)["customer"]["metrics"]] == ["nps"]


async def test_metric_history_is_newest_first_within_from_and_to(client, db):
    # given
    created = await create_customer(client)
    await insert_metrics(
        db, node_id(created["id"]), "nps", *((float(day), at(day)) for day in range(6))
    )

    # when
    body = await gql(
        client,
        METRIC_HISTORY,
        {"id": created["id"], "name": "NPS", "from": at(1).isoformat(), "to": at(4).isoformat()},
    )

    # then
    history = assert_no_errors(body)["customer"]["metricHistory"]
    assert [h["value"] for h in history] == [4.0, 3.0, 2.0, 1.0]


async def test_metric_history_first_keeps_the_newest(client, db):
    # given
    created = await create_customer(client)
    await insert_metrics(
        db, node_id(created["id"]), "nps", *((float(day), at(day)) for day in range(6))
    )

    # when
    body = await gql(client, METRIC_HISTORY, {"id": created["id"], "name": "nps", "first": 2})

    # then
    assert [h["value"] for h in assert_no_errors(body)["customer"]["metricHistory"]] == [5.0, 4.0]


async def test_metric_history_page_size_over_the_limit_is_bad_user_input(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(client, METRIC_HISTORY, {"id": created["id"], "name": "nps", "first": 101})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_consents_keep_the_latest_entry_per_purpose_and_channel(client, db):
    # given
    created = await create_customer(client)
    await insert_consents(
        db,
        node_id(created["id"]),
        {"purpose": "marketing", "channel": "email", "status": "granted", "captured_at": at(1)},
        {"purpose": "marketing", "channel": "email", "status": "withdrawn", "captured_at": at(5)},
        {"purpose": "marketing", "channel": "sms", "status": "granted", "captured_at": at(2)},
        {"purpose": "profiling", "channel": "email", "status": "denied", "captured_at": at(3)},
    )

    # when
    body = await gql(client, CONSENTS, {"id": created["id"]})

    # then
    customer = assert_no_errors(body)["customer"]
    consents = {
        (c["purpose"], c["channel"]): (c["state"], c["granted"]) for c in customer["consents"]
    }
    assert consents == {
        ("marketing", "email"): ("WITHDRAWN", False),
        ("marketing", "sms"): ("GRANTED", True),
        ("profiling", "email"): ("DENIED", False),
    }
    assert [(h["channel"], h["status"]) for h in customer["consentHistory"]] == [
        ("email", "withdrawn"),
        ("email", "denied"),
        ("sms", "granted"),
        ("email", "granted"),
    ]


async def test_an_expired_grant_is_expired_and_not_granted(client, db):
    # given
    created = await create_customer(client)
    await insert_consents(
        db,
        node_id(created["id"]),
        {
            "purpose": "personalization",
            "channel": "web",
            "status": "granted",
            "captured_at": at(1),
            "expires_at": at(30),
        },
    )

    # when
    body = await gql(client, CONSENTS, {"id": created["id"]})

    # then
    (consent,) = assert_no_errors(body)["customer"]["consents"]
    assert (consent["state"], consent["granted"]) == ("EXPIRED", False)
    assert consent["expiresAt"].startswith("2024-01-31")


async def test_preferences(client, db):
    # given
    created = await create_customer(client)
    await insert_preferences(
        db,
        node_id(created["id"]),
        channels=["email", "sms"],
        frequency="weekly",
        topics=["offers"],
        product_interests=["audio", "books"],
    )

    # when
    body = await gql(client, PREFERENCES, {"id": created["id"]})

    # then
    assert assert_no_errors(body)["customer"]["preferences"] == {
        "channels": ["email", "sms"],
        "frequency": "weekly",
        "topics": ["offers"],
        "productInterests": ["audio", "books"],
    }


async def test_no_preferences_is_null(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(client, PREFERENCES, {"id": created["id"]})

    # then
    assert assert_no_errors(body)["customer"]["preferences"] is None


async def test_interactions_are_paginated_newest_first(client):
    # given
    created = await create_customer(client)
    for day in (3, 1, 4, 2, 5):
        recorded = await gql(
            client,
            RECORD_INTERACTION,
            {
                "input": {
                    "customerId": created["id"],
                    "channel": "phone",
                    "kind": "note",
                    "summary": f"day {day}",
                    "occurredAt": at(day).isoformat(),
                }
            },
        )
        assert_no_errors(recorded)

    # when
    pages = []
    after = None
    for _ in range(3):
        body = await gql(client, INTERACTIONS, {"id": created["id"], "first": 2, "after": after})
        pages.append(assert_no_errors(body)["customer"]["interactions"])
        after = pages[-1]["pageInfo"]["endCursor"]

    # then
    summaries = [[edge["node"]["summary"] for edge in page["edges"]] for page in pages]
    assert summaries == [["day 5", "day 4"], ["day 3", "day 2"], ["day 1"]]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]


async def test_interactions_with_a_malformed_cursor_are_bad_user_input(client):
    # given
    created = await create_customer(client)

    # when
    body = await gql(client, INTERACTIONS, {"id": created["id"], "after": "bm90IGEgY3Vyc29y"})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
