"""metricSummary, atRiskCustomers and Customer.markers through GraphQL over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.customers.activity import NewMetric, record_metric
from app.metrics.intervals import difference_interval
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.privacy.people import record_consent

JAN = datetime(2026, 1, 15, tzinfo=UTC)
FEB = datetime(2026, 2, 15, tzinfo=UTC)
APR = datetime(2026, 4, 15, tzinfo=UTC)

SUMMARY = """
query Summary($name: String!, $groupBy: MetricGroupBy!, $from: DateTime, $to: DateTime) {
  metricSummary(name: $name, groupBy: $groupBy, from: $from, to: $to) {
    name groupBy from to
    groups { key n value ciLow ciHigh method }
  }
}
"""

AT_RISK = """
query AtRisk($minRisk: Float!, $first: Int, $after: String) {
  atRiskCustomers(minRisk: $minRisk, first: $first, after: $after) {
    edges {
      cursor
      node {
        churnRisk predictedClv valueAtRisk
        reasons { code contribution message }
        customer { id givenName emails { address } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

MARKERS = """
query Markers($id: ID!) {
  customer(id: $id) {
    markers { segment rfmSegment churnRiskBand preferredChannel nextBestAction }
  }
}
"""

SET_PREFERENCES = """
mutation Prefs($input: SetPreferencesInput!) { setPreferences(input: $input) { channels } }
"""


async def _customer(client, **fields: Any) -> str:
    return (await create_customer(client, **fields))["id"]


async def _observe(db, customer: str, name: str, value: float, at: datetime, **details) -> None:
    new = NewMetric(name=name, value=value, observed_at=at, method="test.v1", details=details)
    await record_metric(db, customer_id=node_id(customer), new=new)


async def test_nps_summary_by_segment_counts_each_customers_latest_answer(client, db):
    # given: gold has 10, 9 and 3 (whose earlier 0 is superseded); silver one passive
    answers = {"gold": [[10], [9], [0, 3]], "silver": [[8]]}
    for segment, customers in answers.items():
        for scores in customers:
            customer = await _customer(client, givenName="A", segment=segment)
            for day, score in enumerate(scores, start=1):
                await _observe(db, customer, "nps", score, JAN.replace(day=day))

    # when
    body = await gql(client, SUMMARY, {"name": "NPS", "groupBy": "SEGMENT"})

    # then
    summary = assert_no_errors(body)["metricSummary"]
    assert summary["name"] == "nps"
    gold, silver = summary["groups"]
    low, high = difference_interval(2 / 3, 1 / 3, 3)
    assert gold["key"] == "gold" and gold["n"] == 3
    assert gold["value"] == pytest.approx(100 / 3)
    assert (gold["ciLow"], gold["ciHigh"]) == pytest.approx((100 * low, 100 * high))
    assert (gold["ciLow"], gold["ciHigh"]) == pytest.approx((-73.35, 100.0), abs=0.01)  # docs
    assert gold["method"] == "nps.wald_trinomial.v1"
    assert (silver["key"], silver["n"], silver["value"]) == ("silver", 1, 0.0)


async def test_summary_by_month_and_range_with_a_t_interval(client, db):
    # given: CSAT 100 and 50 in January, 80 in February, 20 in April (outside the range)
    first, second = await _customer(client), await _customer(client)
    await _observe(db, first, "csat", 100, JAN)
    await _observe(db, second, "csat", 50, JAN)
    await _observe(db, first, "csat", 80, FEB)
    await _observe(db, first, "csat", 20, APR)

    # when
    variables = {
        "name": "csat",
        "groupBy": "MONTH",
        "from": JAN.replace(day=1).isoformat(),
        "to": datetime(2026, 3, 31, tzinfo=UTC).isoformat(),
    }
    body = await gql(client, SUMMARY, variables)

    # then: mean 75, s = 35.36, t(1) = 12.706: the interval is clamped to 0-100
    january, february = assert_no_errors(body)["metricSummary"]["groups"]
    assert (january["key"], january["n"], january["value"]) == ("2026-01", 2, 75.0)
    assert (january["ciLow"], january["ciHigh"]) == (0.0, 100.0)
    assert (february["key"], february["n"], february["value"]) == ("2026-02", 1, 80.0)
    assert february["ciLow"] is None


async def test_summary_by_quarter(client, db):
    # given
    customer = await _customer(client)
    await _observe(db, customer, "churn_risk", 0.2, FEB)
    await _observe(db, customer, "churn_risk", 0.4, APR)

    # when
    body = await gql(client, SUMMARY, {"name": "churn_risk", "groupBy": "QUARTER"})

    # then
    groups = assert_no_errors(body)["metricSummary"]["groups"]
    assert [(g["key"], g["value"]) for g in groups] == [("2026-Q1", 0.2), ("2026-Q2", 0.4)]


async def test_summary_is_for_analysts_not_for_support_or_personalization(client_for, db, client):
    # given
    await _observe(db, await _customer(client), "nps", 9, JAN)
    analyst = await client_for("analyst", "analytics")
    support = await client_for("support_agent", "support")
    personalization = await client_for("personalization", "personalization")
    variables = {"name": "nps", "groupBy": "NONE"}

    # when
    allowed = await gql(analyst, SUMMARY, variables)
    refused = [await gql(c, SUMMARY, variables) for c in (support, personalization)]

    # then
    (group,) = assert_no_errors(allowed)["metricSummary"]["groups"]
    assert (group["key"], group["n"], group["value"]) == (None, 1, 100.0)
    assert [error_codes(body) for body in refused] == [["FORBIDDEN"], ["FORBIDDEN"]]


@pytest.mark.parametrize(
    "variables",
    [
        {"name": "happiness", "groupBy": "NONE"},
        {"name": "rfm_segment", "groupBy": "NONE"},
        {"name": "nps", "groupBy": "NONE", "from": FEB.isoformat(), "to": JAN.isoformat()},
    ],
)
async def test_summary_refuses_bad_input(client, variables):
    # when
    body = await gql(client, SUMMARY, variables)

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def _at_risk_world(client, db) -> dict[str, str]:
    ids = {}
    reasons = [{"code": "detractor", "contribution": 1.2, "message": "Latest NPS answer is 4"}]
    for name, risk, clv in (("Ann", 0.9, 10.0), ("Bob", 0.7, 100.0), ("Cy", 0.4, 1000.0)):
        customer = await _customer(client, givenName=name, emails=[f"{name.lower()}@example.com"])
        await _observe(db, customer, "churn_risk", 0.1, JAN)
        await _observe(db, customer, "churn_risk", risk, FEB, reasons=reasons)
        await _observe(db, customer, "clv_predicted", clv, FEB)
        ids[name] = customer
    return ids


async def test_at_risk_customers_by_value_at_risk_with_reasons_and_pages(client, db):
    # given
    ids = await _at_risk_world(client, db)

    # when
    first = assert_no_errors(await gql(client, AT_RISK, {"minRisk": 0.5, "first": 1}))
    cursor = first["atRiskCustomers"]["pageInfo"]["endCursor"]
    variables = {"minRisk": 0.5, "first": 1, "after": cursor}
    second = assert_no_errors(await gql(client, AT_RISK, variables))

    # then: Bob risks 0.7 x 100 = 70, Ann 0.9 x 10 = 9; Cy is below 0.5
    (bob,) = first["atRiskCustomers"]["edges"]
    (ann,) = second["atRiskCustomers"]["edges"]
    assert first["atRiskCustomers"]["pageInfo"]["hasNextPage"] is True
    assert second["atRiskCustomers"]["pageInfo"]["hasNextPage"] is False
    assert bob["node"]["customer"]["id"] == ids["Bob"]
    assert bob["node"]["valueAtRisk"] == pytest.approx(70.0)
    assert bob["node"]["customer"]["emails"] == [{"address": "bob@example.com"}]
    assert bob["node"]["reasons"][0]["code"] == "detractor"
    assert ann["node"]["customer"]["id"] == ids["Ann"]
    assert ann["node"]["churnRisk"] == pytest.approx(0.9)


async def test_at_risk_customers_is_for_staff_and_checks_its_input(client, client_for, db):
    # given
    await _at_risk_world(client, db)
    analyst = await client_for("analyst", "analytics")

    # when
    refused = await gql(analyst, AT_RISK, {"minRisk": 0.5})
    bad_risk = await gql(client, AT_RISK, {"minRisk": 1.5})
    bad_cursor = await gql(client, AT_RISK, {"minRisk": 0.5, "after": "garbage"})

    # then
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(bad_risk) == ["BAD_USER_INPUT"]
    assert error_codes(bad_cursor) == ["BAD_USER_INPUT"]


async def test_markers_for_a_consenting_customer_and_none_for_others(client, client_for, db):
    # given
    ids = await _at_risk_world(client, db)
    bob = ids["Bob"]
    await _observe(db, bob, "nps_category", -1, FEB)
    await _observe(db, bob, "rfm_segment", 8, FEB, segment="at_risk")
    prefs = {"customerId": bob, "channels": ["SMS", "PHONE"]}
    assert_no_errors(await gql(client, SET_PREFERENCES, {"input": prefs}))
    await record_consent(client, bob, "GRANTED", purpose="PERSONALIZATION")
    widget = await client_for("personalization", "personalization")

    # when
    shown = await gql(widget, MARKERS, {"id": bob})
    withheld = await gql(widget, MARKERS, {"id": ids["Ann"]})

    # then
    markers = assert_no_errors(shown)["customer"]["markers"]
    assert markers == {
        "segment": None,
        "rfmSegment": "at_risk",
        "churnRiskBand": "HIGH",
        "preferredChannel": "sms",
        "nextBestAction": "SERVICE_RECOVERY",
    }
    assert error_codes(withheld) == ["CONSENT_REQUIRED"]


async def test_a_merged_customers_value_does_not_count(client, db):
    # given: two customers answered; one is then merged into the other (a tombstone)
    from sqlalchemy import update

    from app.store.models import Customer

    survivor, merged = await _customer(client), await _customer(client)
    await _observe(db, survivor, "nps", 10, JAN)
    await _observe(db, merged, "nps", 0, JAN)
    async with db.transaction() as session:
        await session.execute(
            update(Customer)
            .where(Customer.id == node_id(merged))
            .values(merged_into=node_id(survivor))
        )

    # when
    overall = await gql(client, SUMMARY, {"name": "nps", "groupBy": "NONE"})
    by_segment = await gql(client, SUMMARY, {"name": "nps", "groupBy": "SEGMENT"})

    # then
    (group,) = assert_no_errors(overall)["metricSummary"]["groups"]
    assert (group["n"], group["value"]) == (1, 100.0)
    (segment,) = assert_no_errors(by_segment)["metricSummary"]["groups"]
    assert segment["n"] == 1


UPDATE_CUSTOMER = """
mutation Update($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
ADD_ADDRESS = """
mutation Add($input: AddContactPointInput!) { addContactPoint(input: $input) { id } }
"""


def _groups(body: dict[str, Any]) -> list[tuple[str | None, int]]:
    return [(g["key"], g["n"]) for g in assert_no_errors(body)["metricSummary"]["groups"]]


async def _summary_groups(client, group: str) -> list[tuple[str | None, int]]:
    return _groups(await gql(client, SUMMARY, {"name": "nps", "groupBy": group}))


async def test_summary_groups_follow_the_customers_writes(client, db):
    # given: a gold prospect in Wales preferring email, with an NPS answer
    address = {"street": "1 High St", "city": "Cardiff", "country": "GB", "region": "Wales"}
    created = await create_customer(client, segment="gold", addresses=[address])
    customer = created["id"]
    prefs = {"customerId": customer, "channels": ["EMAIL"]}
    assert_no_errors(await gql(client, SET_PREFERENCES, {"input": prefs}))
    await _observe(db, customer, "nps", 9, JAN)
    groups = ("SEGMENT", "LIFECYCLE_STAGE", "REGION", "CHANNEL")
    before = [await _summary_groups(client, group) for group in groups]

    # when: each write is followed by the summary it affects, with no new answer
    update = {"id": customer, "version": created["version"], "segment": "silver"}
    update["lifecycleStage"] = "ACTIVE"
    assert_no_errors(await gql(client, UPDATE_CUSTOMER, {"input": update}))
    segment = await _summary_groups(client, "SEGMENT")
    stage = await _summary_groups(client, "LIFECYCLE_STAGE")
    moved = {**address, "city": "Glasgow", "region": "Scotland"}
    new_address = {"customerId": customer, "kind": "ADDRESS", "address": moved, "isPrimary": True}
    assert_no_errors(await gql(client, ADD_ADDRESS, {"input": new_address}))
    region = await _summary_groups(client, "REGION")
    prefs = {"customerId": customer, "channels": ["SMS"]}
    assert_no_errors(await gql(client, SET_PREFERENCES, {"input": prefs}))
    channel = await _summary_groups(client, "CHANNEL")

    # then
    assert before == [[("gold", 1)], [("prospect", 1)], [("Wales", 1)], [("email", 1)]]
    assert segment == [("silver", 1)]
    assert stage == [("active", 1)]
    assert region == [("Scotland", 1)]
    assert channel == [("sms", 1)]


async def test_a_range_selects_whole_periods_and_a_backdated_answer_does_not_win(client, db):
    # given: answers on 15 and 20 January, then one backdated to 2 January
    customer = await _customer(client)
    await _observe(db, customer, "nps", 3, JAN)
    await _observe(db, customer, "nps", 10, JAN.replace(day=20))
    await _observe(db, customer, "nps", 0, JAN.replace(day=2))

    # when: the range starts mid-January
    variables = {"name": "nps", "groupBy": "MONTH", "from": JAN.replace(day=18).isoformat()}
    body = await gql(client, SUMMARY, variables)

    # then: January counts once, with its last answer (10)
    (january,) = assert_no_errors(body)["metricSummary"]["groups"]
    assert (january["key"], january["n"], january["value"]) == ("2026-01", 1, 100.0)


async def test_a_range_counts_each_customers_latest_answer_in_it(client, db):
    # given: gold answers 10 in January then 0 in April; another gold answered 8 in January
    changed = await _customer(client, segment="gold")
    await _observe(db, changed, "nps", 10, JAN)
    await _observe(db, changed, "nps", 0, APR)
    await _observe(db, await _customer(client, segment="gold"), "nps", 8, JAN)

    async def summary(**bounds: datetime) -> tuple[int, float]:
        variables = {"name": "nps", "groupBy": "SEGMENT"}
        variables |= {name: at.isoformat() for name, at in bounds.items()}
        (gold,) = assert_no_errors(await gql(client, SUMMARY, variables))["metricSummary"]["groups"]
        return gold["n"], gold["value"]

    # when
    since_march = await summary(**{"from": APR.replace(month=3)})
    january = await summary(**{"from": JAN.replace(day=1), "to": FEB})
    all_year = await summary(**{"from": JAN.replace(day=1), "to": APR})

    # then: from March only the April 0 counts; up to February the 10 (history), not the 0
    assert since_march == (1, -100.0)
    assert january == (2, 50.0)
    assert all_year == (2, -50.0)
