"""businessMetrics, setAcquisition and recordAcquisitionSpend through GraphQL over HTTP: the
worked examples of docs/metrics.md ("Business metrics"), number for number."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.store.models import Acquisition, FieldProvenance
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id

# The worked example's period is the 90 days ending today, so that "lost" (the customer's
# lifecycle stage set to past, which happens now) falls inside it.
TODAY = datetime.now(UTC).date()
FROM = TODAY - timedelta(days=89)
MONTHS = 90 / (365 / 12)

SET_ACQUISITION = """
mutation Set($input: SetAcquisitionInput!) {
  setAcquisition(input: $input) { customerId acquiredAt channel campaign source lostAt }
}
"""
RECORD_SPEND = """
mutation Spend($entries: [AcquisitionSpendInput!]!) {
  recordAcquisitionSpend(entries: $entries) { id amount originalAmount currency category }
}
"""
RECORD_METRIC = """
mutation Metric($input: RecordMetricInput!) { recordMetric(input: $input) { value } }
"""
UPDATE = """
mutation Update($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }
"""
VALUE = "{ value definition n reason }"
BUSINESS = f"""
query Business($from: Date!, $to: Date!, $groupBy: BusinessGroupBy!, $costBasis: CostBasis!) {{
  businessMetrics(from: $from, to: $to, groupBy: $groupBy, costBasis: $costBasis) {{
    from to groupBy costBasis currency
    groups {{
      key periodStart periodEnd customersAtStart customersAtEnd acquired lost spend
      acquisitionRate {VALUE} attritionRate {VALUE} growthIndex {VALUE} churnRate {VALUE}
      cac {VALUE} averageClv {VALUE} ltvToCac {VALUE} paybackMonths {VALUE}
      repeatPurchaseRate {VALUE} arpu {VALUE}
    }}
  }}
}}
"""


def _at(day: date) -> str:
    return datetime.combine(day, time(12), tzinfo=UTC).isoformat()


async def _acquired(
    client, days_ago: int, channel: str | None, campaign: str | None = None, **metrics: float
) -> dict[str, Any]:
    customer = await create_customer(client, givenName="A", lifecycleStage="ACTIVE")
    for name, value in metrics.items():
        body = await gql(
            client,
            RECORD_METRIC,
            {"input": {"customerId": customer["id"], "name": name, "value": value}},
        )
        assert_no_errors(body)
    acquired = {
        "customerId": customer["id"],
        "acquiredAt": _at(TODAY - timedelta(days=days_ago)),
        "channel": channel,
        "campaign": campaign,
        "source": "crm",
    }
    assert_no_errors(await gql(client, SET_ACQUISITION, {"input": acquired}))
    return customer


async def _lose(client, customer: dict[str, Any]) -> None:
    variables = {
        "input": {"id": customer["id"], "version": customer["version"], "lifecycleStage": "PAST"}
    }
    assert_no_errors(await gql(client, UPDATE, variables))


def _spend(category: str, amount: float, start: date, end: date, **more: Any) -> dict[str, Any]:
    return {
        "category": category,
        "amount": amount,
        "currency": more.pop("currency", "EUR"),
        "periodStart": start.isoformat(),
        "periodEnd": end.isoformat(),
        **more,
    }


async def _worked_example(client) -> None:
    # given: four customers before the period (two by search, two by social; one of them is
    # lost during it), three acquired in it with their current order counts and CLVs
    await _acquired(client, 300, "Search")
    await _acquired(client, 200, "search")
    lost = await _acquired(client, 150, "social")
    await _acquired(client, 100, "social")
    spring = await _acquired(
        client, 80, "search", "spring", order_count=3, clv_historical=240, clv_predicted=100
    )
    await _acquired(
        client, 40, "search", "spring", order_count=1, clv_historical=90, clv_predicted=60
    )
    await _acquired(client, 20, "social", "launch", order_count=0, clv_historical=0)
    await _lose(client, lost)
    # a value that changes after the acquisition moves the cohort's sums (100 -> 180)
    metric = {"customerId": spring["id"], "name": "clv_predicted", "value": 180}
    assert_no_errors(await gql(client, RECORD_METRIC, {"input": metric}))
    entries = [
        _spend("MEDIA", 600, FROM, TODAY, channel="search"),
        _spend("DIRECT_MARKETING", 250, FROM, TODAY, channel="social", currency="USD"),
        _spend("SALES_MARKETING_SALARIES", 900, FROM, TODAY),
        _spend("TOOLS_SOFTWARE", 360, TODAY - timedelta(days=179), TODAY),
    ]
    recorded = assert_no_errors(await gql(client, RECORD_SPEND, {"entries": entries}))
    assert [row["amount"] for row in recorded["recordAcquisitionSpend"]] == pytest.approx(
        [600, 230, 900, 360]  # 250 USD x 0.92
    )


async def _metrics(client, group_by: str, cost_basis: str = "SIMPLE", **dates) -> dict:
    variables = {
        "from": dates.get("since", FROM).isoformat(),
        "to": dates.get("until", TODAY).isoformat(),
        "groupBy": group_by,
        "costBasis": cost_basis,
    }
    return assert_no_errors(await gql(client, BUSINESS, variables))["businessMetrics"]


def _values(group: dict[str, Any]) -> dict[str, Any]:
    return {name: value["value"] for name, value in group.items() if isinstance(value, dict)}


async def test_worked_example_for_the_whole_period(client):
    await _worked_example(client)

    # when
    simple = await _metrics(client, "NONE")
    loaded = await _metrics(client, "NONE", "FULLY_LOADED")

    # then
    (group,) = simple["groups"]
    assert simple["currency"] == "EUR"
    counts = [group[k] for k in ("customersAtStart", "acquired", "lost", "customersAtEnd")]
    assert counts == [4, 3, 1, 6]
    assert group["spend"] == pytest.approx(830)
    assert _values(group) == pytest.approx(
        {
            "acquisitionRate": 0.75,
            "attritionRate": 0.25,
            "growthIndex": 150.0,
            "churnRate": 1 - 0.75 ** (1 / MONTHS),
            "cac": 830 / 3,
            "averageClv": 120.0,
            "ltvToCac": 120 / (830 / 3),
            "paybackMonths": 12 * 1.2 * (830 / 3) / 120,
            "repeatPurchaseRate": 0.5,
            "arpu": 110.0,
        }
    )
    assert _values(group)["churnRate"] == pytest.approx(0.0926, abs=1e-4)  # docs
    assert _values(group)["paybackMonths"] == pytest.approx(33.2)  # docs
    assert group["cac"] == {
        "value": pytest.approx(276.667, abs=1e-3),
        "definition": "cac.simple.v1",
        "n": 3,
        "reason": None,
    }
    assert (group["averageClv"]["n"], group["repeatPurchaseRate"]["n"], group["arpu"]["n"]) == (
        2,
        2,
        3,
    )
    (full,) = loaded["groups"]
    # 600 + 230 + 900 + 360 x 90 / 180 (half the tools' period is inside)
    assert full["spend"] == pytest.approx(1910)
    assert full["cac"]["value"] == pytest.approx(1910 / 3)
    assert full["cac"]["definition"] == "cac.fully_loaded.v1"


async def test_worked_example_by_channel(client):
    await _worked_example(client)

    # when
    body = await _metrics(client, "CHANNEL")
    loaded = await _metrics(client, "CHANNEL", "FULLY_LOADED")

    # then
    search, social = body["groups"]
    assert search["key"] == "search"  # "Search" and "search" are one channel
    assert [search[k] for k in ("customersAtStart", "acquired", "lost")] == [2, 2, 0]
    assert _values(search) == pytest.approx(
        {
            "acquisitionRate": 1.0,
            "attritionRate": 0.0,
            "growthIndex": 200.0,
            "churnRate": 0.0,
            "cac": 300.0,
            "averageClv": 120.0,
            "ltvToCac": 0.4,
            "paybackMonths": 36.0,
            "repeatPurchaseRate": 0.5,
            "arpu": 165.0,
        }
    )
    assert social["key"] == "social"
    assert [social[k] for k in ("customersAtStart", "acquired", "lost")] == [2, 1, 1]
    assert social["cac"]["value"] == pytest.approx(230)
    assert social["churnRate"]["value"] == pytest.approx(1 - 0.5 ** (1 / MONTHS))
    assert social["averageClv"] == {
        "value": None,
        "definition": "average_clv.cohort_predicted.v1",
        "n": 0,
        "reason": "no acquired customer has a predicted CLV",
    }
    assert social["ltvToCac"]["reason"] == "no acquired customer has a predicted CLV"
    assert social["repeatPurchaseRate"]["reason"] == "no acquired customer has bought"
    assert social["arpu"]["value"] == 0.0
    # Spend with no channel (salaries, tools) is its own group; nobody there at start.
    *_, unattributed = loaded["groups"]
    assert unattributed["key"] is None
    assert unattributed["spend"] == pytest.approx(1080)
    assert unattributed["acquisitionRate"]["reason"] == "no customers at the start of the period"
    assert unattributed["cac"]["reason"] == "no customer acquired in the period"


async def test_worked_example_by_campaign(client):
    await _worked_example(client)

    # when
    launch, spring, none = (await _metrics(client, "CAMPAIGN"))["groups"]

    # then
    assert (launch["key"], spring["key"], none["key"]) == ("launch", "spring", None)
    assert [spring[k] for k in ("customersAtStart", "acquired", "spend")] == [0, 2, None]
    assert spring["acquisitionRate"]["reason"] == "no customers at the start of the period"
    assert spring["cac"]["reason"] == "no acquisition spend recorded for the period"
    assert [none[k] for k in ("customersAtStart", "acquired", "lost")] == [4, 0, 1]
    assert none["spend"] == pytest.approx(830)


async def test_months_and_quarters_count_from_each_periods_start(client):
    # given: one customer before January, one each in January, February and (after the
    # range) March; media spend for January and February
    acquired = [date(2024, 12, 1), date(2025, 1, 20), date(2025, 2, 14), date(2025, 3, 20)]
    for day in acquired:
        customer = await create_customer(client, givenName="A", lifecycleStage="ACTIVE")
        variables = {"input": {"customerId": customer["id"], "acquiredAt": _at(day)}}
        assert_no_errors(await gql(client, SET_ACQUISITION, variables))
    entries = [
        _spend("MEDIA", 310, date(2025, 1, 1), date(2025, 1, 31)),
        _spend("MEDIA", 280, date(2025, 2, 1), date(2025, 2, 28)),
    ]
    assert_no_errors(await gql(client, RECORD_SPEND, {"entries": entries}))
    dates = {"since": date(2025, 1, 15), "until": date(2025, 3, 10)}

    # when
    months = await _metrics(client, "MONTH", **dates)
    quarters = await _metrics(client, "QUARTER", **dates)

    # then: January is clipped to the 15th-31st, so 17/31 of its spend counts
    january, february, march = months["groups"]
    assert [january[k] for k in ("key", "periodStart", "periodEnd")] == [
        "2025-01",
        "2025-01-15",
        "2025-01-31",
    ]
    assert [january[k] for k in ("customersAtStart", "acquired", "customersAtEnd")] == [1, 1, 2]
    assert january["cac"]["value"] == pytest.approx(170)
    assert [february[k] for k in ("customersAtStart", "acquired")] == [2, 1]
    assert february["cac"]["value"] == pytest.approx(280)
    assert [march[k] for k in ("customersAtStart", "acquired", "spend")] == [3, 0, None]
    assert march["cac"]["reason"] == "no acquisition spend recorded for the period"
    (quarter,) = quarters["groups"]
    assert [quarter[k] for k in ("key", "customersAtStart", "acquired")] == ["2025-Q1", 1, 2]
    assert quarter["cac"]["value"] == pytest.approx(225)


async def test_business_metrics_are_for_analysts_stewards_and_admins(client, client_for):
    # given
    variables = {"from": "2025-01-01", "to": "2025-03-31", "groupBy": "NONE", "costBasis": "SIMPLE"}
    analyst = await client_for("analyst", "analytics")
    support = await client_for("support_agent", "support")

    # when
    allowed = await gql(analyst, BUSINESS, variables)
    refused = await gql(support, BUSINESS, variables)
    spend = await gql(analyst, RECORD_SPEND, {"entries": [_spend("MEDIA", 1, FROM, TODAY)]})

    # then
    (group,) = assert_no_errors(allowed)["businessMetrics"]["groups"]
    assert group["customersAtStart"] == 0
    assert group["cac"]["reason"] == "no acquisition spend recorded for the period"
    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(spend) == ["FORBIDDEN"]


async def test_spend_is_all_or_nothing_and_bad_input_is_named(client):
    # given: a good entry and one in a currency without a rate
    entries = [_spend("MEDIA", 100, FROM, TODAY), _spend("MEDIA", 5, FROM, TODAY, currency="JPY")]

    # when
    body = await gql(client, RECORD_SPEND, {"entries": entries})
    backwards = await gql(client, RECORD_SPEND, {"entries": [_spend("MEDIA", 1, TODAY, FROM)]})
    reversed_range = await gql(
        client,
        BUSINESS,
        {
            "from": TODAY.isoformat(),
            "to": FROM.isoformat(),
            "groupBy": "NONE",
            "costBasis": "SIMPLE",
        },
    )

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "JPY" in body["errors"][0]["message"]
    assert error_codes(backwards) == ["BAD_USER_INPUT"]
    assert error_codes(reversed_range) == ["BAD_USER_INPUT"]
    (group,) = (await _metrics(client, "NONE"))["groups"]
    assert group["spend"] is None


async def test_set_acquisition_records_provenance_and_refuses_bad_input(client, db):
    # given
    customer = await create_customer(client, givenName="A")

    # when
    body = await gql(
        client,
        SET_ACQUISITION,
        {
            "input": {
                "customerId": customer["id"],
                "acquiredAt": _at(FROM),
                "channel": " Paid  Search ",
                "campaign": "  Spring   sale ",
                "source": "HubSpot",
            }
        },
    )
    future = await gql(
        client,
        SET_ACQUISITION,
        {"input": {"customerId": customer["id"], "acquiredAt": _at(TODAY + timedelta(days=30))}},
    )

    # then
    record = assert_no_errors(body)["setAcquisition"]
    assert (record["channel"], record["campaign"], record["source"]) == (
        "paid_search",
        "Spring sale",
        "hubspot",
    )
    assert error_codes(future) == ["BAD_USER_INPUT"]
    async with db.session() as session:
        rows = await session.execute(
            select(FieldProvenance.field, FieldProvenance.system, FieldProvenance.rule).where(
                FieldProvenance.customer_id == node_id(customer["id"])
            )
        )
        assert sorted(rows.all()) == [
            ("acquired_at", "hubspot", "direct_edit"),
            ("acquisition_campaign", "hubspot", "direct_edit"),
            ("acquisition_channel", "hubspot", "direct_edit"),
        ]


COHORTS = """
query Cohorts($from: Date!, $to: Date!, $period: CohortPeriod!) {
  retentionCohorts(from: $from, to: $to, period: $period) {
    cohort customers retained rates
  }
}
"""
MERGE = """
mutation Merge($survivor: ID!, $merged: ID!) {
  mergeCustomers(survivorId: $survivor, mergedId: $merged) { id }
}
"""


def _months_ago(count: int) -> date:
    index = TODAY.year * 12 + TODAY.month - 1 - count
    return date(index // 12, index % 12 + 1, 10)


async def test_retention_cohorts_count_who_is_not_lost_month_by_month(client):
    # given: three customers acquired two months ago (one lost now), one last month
    two_ago = [await _acquired_on(client, _months_ago(2)) for _ in range(3)]
    await _acquired_on(client, _months_ago(1))
    await _lose(client, two_ago[0])
    variables = {"from": _months_ago(2).isoformat(), "to": TODAY.isoformat()}

    # when
    months = await gql(client, COHORTS, {**variables, "period": "MONTH"})
    quarters = await gql(client, COHORTS, {**variables, "period": "QUARTER"})

    # then
    older, newer = assert_no_errors(months)["retentionCohorts"]
    assert (older["cohort"], older["customers"]) == (_months_ago(2).isoformat()[:7], 3)
    assert older["retained"] == [3, 3, 2]
    assert older["rates"] == pytest.approx([1, 1, 2 / 3])
    assert newer["retained"] == [1, 1]
    table = assert_no_errors(quarters)["retentionCohorts"]
    assert sum(cohort["customers"] for cohort in table) == 4
    assert all(cohort["retained"][-1] <= cohort["customers"] for cohort in table)


async def _acquired_on(client, day: date) -> dict[str, Any]:
    customer = await create_customer(client, givenName="A", lifecycleStage="ACTIVE")
    variables = {"input": {"customerId": customer["id"], "acquiredAt": _at(day)}}
    assert_no_errors(await gql(client, SET_ACQUISITION, variables))
    return customer


async def test_a_customer_who_comes_back_is_no_longer_lost(client):
    # given
    customer = await _acquired(client, 100, "search")
    await _lose(client, customer)
    variables = {
        "input": {
            "id": customer["id"],
            "version": customer["version"] + 1,
            "lifecycleStage": "ACTIVE",
        }
    }

    # when
    assert_no_errors(await gql(client, UPDATE, variables))

    # then
    (group,) = (await _metrics(client, "NONE"))["groups"]
    assert [group[k] for k in ("customersAtStart", "lost", "customersAtEnd")] == [1, 0, 1]


async def test_a_merge_counts_the_person_once_from_the_earlier_acquisition(client):
    # given: the same person acquired twice, by search and later by social
    earlier = await _acquired(client, 120, "search")
    later = await _acquired(client, 30, "social")
    survivor = await create_customer(client, givenName="B")

    # when: both merge into a customer with no acquisition of its own
    for merged in (later, earlier):
        body = await gql(client, MERGE, {"survivor": survivor["id"], "merged": merged["id"]})
        assert_no_errors(body)

    # then
    (group,) = (await _metrics(client, "CHANNEL"))["groups"]
    assert (group["key"], group["customersAtStart"], group["acquired"]) == ("search", 1, 0)


ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"


async def test_erasure_removes_the_record_and_keeps_the_anonymous_counts(client, db):
    # given
    customer = await _acquired(client, 30, "search")

    # when
    assert_no_errors(await gql(client, ERASE, {"id": customer["id"]}))

    # then
    async with db.session() as session:
        found = await session.get(Acquisition, node_id(customer["id"]))
    assert found is None
    (group,) = (await _metrics(client, "NONE"))["groups"]
    assert group["acquired"] == 1


EXPORT = "query($id: ID!) { exportCustomerData(customerId: $id) { document } }"


async def test_a_data_export_holds_the_acquisition_record(client):
    # given
    customer = await _acquired(client, 30, "search", "spring")

    # when
    body = await gql(client, EXPORT, {"id": customer["id"]})

    # then
    document = assert_no_errors(body)["exportCustomerData"]["document"]
    (record,) = document["master_store"]["acquisition"]
    assert (record["channel"], record["campaign"], record["system"]) == ("search", "spring", "crm")
