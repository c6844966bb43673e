"""The demo data shows what the README says: `c360 seed` then the README's queries over GraphQL.

`c360 seed` is what `c360 demo` runs on an empty store: it writes the world and computes its
metrics from the simulated source systems.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from composition.cli import app
from simulators.places import TOWNS
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()
CUSTOMERS = 60

AT_RISK = """
{ atRiskCustomers(minRisk: 0.5, first: 100) { edges { node {
    churnRisk reasons { code message }
    customer { id markers { rfmSegment churnRiskBand nextBestAction } }
} } } }
"""
EVERYONE = """
{ customers(first: 100) { totalCount edges { node {
    id addresses { label formatted city postcode country }
    markers { rfmSegment } metrics(names: ["order_count"]) { value }
} } } }
"""
# The README's search example, as written there.
SEARCH = """
{ searchCustomers(query: "bill smith bristol", limit: 5) {
    score matchedFields { field method similarity term }
    customer { id displayName addresses { city } } } }
"""

# The README's other search examples, each of which names Jane Doe of Leeds.
JANE_QUERIES = ("jane doe leeds", "07911 123456", "jnae.doe@exmaple.com", "LS1 5AB doe")
FIRST_FOUND = """
query($q: String!) { searchCustomers(query: $q, limit: 5) { customer { displayName } } }
"""


def _seed_and_ask(database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Seed through the CLI, then answer the README's queries over GraphQL."""
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    result = runner.invoke(app, ["seed", "--customers", str(CUSTOMERS)])
    assert result.exit_code == 0, result.output

    async def ask() -> dict[str, dict]:
        settings = Settings(database_url=database_url, log_json=False)
        async with running_gateway(settings) as gateway:
            answers = {
                name: assert_no_errors(await gql(gateway.client, query))
                for name, query in (("at_risk", AT_RISK), ("all", EVERYONE), ("search", SEARCH))
            }
            for q in JANE_QUERIES:
                found = assert_no_errors(await gql(gateway.client, FIRST_FOUND, {"q": q}))
                answers[q] = found["searchCustomers"][0]["customer"]
            return answers

    return asyncio.run(ask())


def _check_at_risk_customers_have_reasons_and_an_rfm_segment(demo_data):
    edges = demo_data["at_risk"]["atRiskCustomers"]["edges"]

    assert edges, "the demo world has customers at risk"
    for edge in edges:
        node = edge["node"]
        assert node["churnRisk"] >= 0.5
        assert node["reasons"], node
        assert node["customer"]["markers"]["rfmSegment"], node


def _check_every_buyer_has_an_rfm_segment(demo_data):
    nodes = [edge["node"] for edge in demo_data["all"]["customers"]["edges"]]
    buyers = [n for n in nodes if n["metrics"] and n["metrics"][0]["value"] > 0]

    assert len(nodes) == CUSTOMERS and buyers
    assert [n["id"] for n in buyers if not n["markers"]["rfmSegment"]] == []


def _check_no_customer_lists_an_address_twice_and_towns_are_real(demo_data):
    nodes = [edge["node"] for edge in demo_data["all"]["customers"]["edges"]]

    for node in nodes:
        repeated = Counter(a["formatted"] for a in node["addresses"])
        assert max(repeated.values(), default=1) == 1, node["addresses"]
        for address in node["addresses"]:
            towns = {town.name for town in TOWNS[address["country"]]}
            assert address["city"] in towns, address


def _check_the_readme_search_example_finds_bill_smith_of_bristol_first(demo_data):
    results = demo_data["search"]["searchCustomers"]

    first = results[0]
    assert first["customer"]["displayName"] in ("William Smith", "Bill Smith")
    assert "Bristol" in {a["city"] for a in first["customer"]["addresses"]}
    assert {m["field"] for m in first["matchedFields"]} >= {"givenName", "familyName", "city"}
    assert all(r["score"] <= first["score"] for r in results)


def test_the_demo_data_shows_what_the_readme_says(database_url, monkeypatch):
    # given a store seeded as `c360 demo` seeds it; when the README's queries run over it
    demo_data = _seed_and_ask(database_url, monkeypatch)

    # then
    _check_at_risk_customers_have_reasons_and_an_rfm_segment(demo_data)
    _check_every_buyer_has_an_rfm_segment(demo_data)
    _check_no_customer_lists_an_address_twice_and_towns_are_real(demo_data)
    _check_the_readme_search_example_finds_bill_smith_of_bristol_first(demo_data)
    assert {q: demo_data[q]["displayName"] for q in JANE_QUERIES} == dict.fromkeys(
        JANE_QUERIES, "Jane Doe"
    )
