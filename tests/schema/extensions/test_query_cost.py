"""The query cost limit (RELIABILITY 4 and 8): operations over budget never reach a resolver."""

from __future__ import annotations

from functools import partial

import pytest
import strawberry
from graphql import SelectionSetNode
from strawberry.extensions import AddValidationRules

from schema.extensions.query_cost import QUERY_TOO_COMPLEX, _CostEstimate, query_cost_rule
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, error_codes, gql

# 1 + 100 customers x (edges + node + interactions (10) + 100 x (edges + node + 2 fields)) = 41,201.
HUGE = """
{ customers(first: 100) { edges { node { interactions(first: 100) {
    edges { node { id summary } } } } } } }
"""
# 1 + 20 (default page) x (2 + 10 + 20 x 3) = 1,441: a real list page with timelines.
DEFAULT_PAGES = "{ customers { edges { node { interactions { edges { node { id } } } } } } }"


async def test_reliability_08_an_operation_over_the_cost_budget_is_rejected_before_any_resolver(
    client, list_calls
):
    # when
    body = await gql(client, HUGE)

    # then
    assert error_codes(body) == [QUERY_TOO_COMPLEX]
    assert "cost" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["maxCost"] == 5000
    assert "data" not in body
    assert list_calls == []


async def test_reliability_08_default_page_sizes_stay_within_the_default_budget(client):
    # when
    body = await gql(client, DEFAULT_PAGES)

    # then
    assert_no_errors(body)


async def test_reliability_08_the_budget_is_a_setting(settings, list_calls):
    # given
    async with running_gateway(settings.model_copy(update={"max_query_cost": 1000})) as gateway:
        # when
        body = await gql(gateway.client, DEFAULT_PAGES)

    # then
    assert error_codes(body) == [QUERY_TOO_COMPLEX]
    assert list_calls == []


async def test_reliability_04_a_paged_field_repeated_1000_times_is_rejected_before_any_resolver(
    settings, list_calls
):
    # given: no token limit to hide behind
    limits = {"max_tokens": 100_000}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        thousand = await gql(gateway.client, "{ " + "customers { totalCount } " * 1000 + "}")
        three_hundred = await gql(gateway.client, "{ " + "customers { totalCount } " * 300 + "}")

    # then: 300 pages of 20 customers cost 6,300; at 1,000 graphql-core may give up first
    assert error_codes(three_hundred) == [QUERY_TOO_COMPLEX]
    assert set(error_codes(thousand)) <= {QUERY_TOO_COMPLEX, "GRAPHQL_VALIDATION_FAILED"}
    assert "data" not in thousand
    assert list_calls == []


# A tiny schema, to test the rule's arithmetic on its own.
@strawberry.type
class Order:
    total: int


@strawberry.type
class Person:
    name: str

    @strawberry.field
    def orders(self, first: int | None = None) -> list[Order]:
        return [Order(total=1)] * (first or 2)

    @strawberry.field
    def emails(self) -> list[str]:
        return ["a@example.com"]


@strawberry.type
class Query:
    @strawberry.field
    def people(self, first: int | None = None) -> list[Person]:
        return [Person(name="p")] * (first or 2)


def _tiny_schema(*, max_cost: int) -> strawberry.Schema:
    rule = query_cost_rule(
        max_cost=max_cost,
        default_page_size=2,
        max_page_size=10,
        weights={"Person.orders": 5},
    )
    return strawberry.Schema(query=Query, extensions=[partial(AddValidationRules, [rule])])


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        ("{ people { name } }", 1 + 2 * 1),
        ("{ people(first: 3) { name emails } }", 1 + 3 * (1 + 1)),
        ("{ people(first: 3) { orders(first: 4) { total } } }", 1 + 3 * (5 + 4 * 1)),
        ("{ people(first: 1) { orders { total } } }", 1 + 1 * (5 + 2 * 1)),
        ("{ a: people(first: 1) { name } b: people(first: 1) { name } }", 2 * (1 + 1 * 1)),
    ],
)
def test_the_cost_is_the_weights_multiplied_down_the_tree_by_page_sizes(query, cost):
    # given
    at_budget, under_budget = _tiny_schema(max_cost=cost), _tiny_schema(max_cost=cost - 1)

    # when
    accepted = at_budget.execute_sync(query)
    rejected = under_budget.execute_sync(query)

    # then
    assert accepted.errors is None
    assert rejected.errors is not None
    assert rejected.errors[0].extensions == {
        "code": QUERY_TOO_COMPLEX,
        "cost": cost,
        "maxCost": cost - 1,
    }


def _rejected_cost(schema: strawberry.Schema, query: str) -> int | None:
    """The estimated cost the rule reports, if it rejected `query`."""
    errors = schema.execute_sync(query).errors or []
    costs = [e.extensions["cost"] for e in errors if (e.extensions or {}).get("cost")]
    return costs[0] if costs else None


def test_reliability_08_a_page_size_given_as_a_variable_is_costed_at_the_maximum():
    # given: validation runs before variables are known, so $n counts as the maximum page (10)
    query = "query($n: Int) { people(first: $n) { name } }"

    # when
    cost = _rejected_cost(_tiny_schema(max_cost=1), query)

    # then
    assert cost == 1 + 10 * 1


def test_reliability_08_cost_multiplies_through_fragments():
    # given: the same selections as in the arithmetic test above, spread through fragments
    query = """
    { people(first: 3) { ...Person } }
    fragment Person on Person { ...Orders }
    fragment Orders on Person { orders(first: 4) { total } }
    """

    # when
    cost = _rejected_cost(_tiny_schema(max_cost=1), query)

    # then
    assert cost == 1 + 3 * (5 + 4 * 1)


def test_reliability_04_a_directive_repeated_10_times_adds_no_cost():
    # given
    query = "{ people(first: 1) { name " + "@include(if: true) " * 10 + "} }"

    # when
    errors = _tiny_schema(max_cost=2).execute_sync(query).errors or []

    # then: a repeated non-repeatable directive is invalid, but not for its cost
    assert errors
    assert all("cost" not in (error.extensions or {}) for error in errors)


def _walked_selection_sets(monkeypatch) -> list[SelectionSetNode]:
    """Every selection set the cost estimate walks, from now on."""
    walked: list[SelectionSetNode] = []
    real = _CostEstimate.of_selections

    def spy(self, selections, parent):
        if selections is not None:
            walked.append(selections)
        return real(self, selections, parent)

    monkeypatch.setattr(_CostEstimate, "of_selections", spy)
    return walked


def test_a_fragment_bomb_is_costed_in_full_walking_each_fragment_once(monkeypatch):
    # given: each fragment spreads the next twice, 2^12 = 4,096 expansions of one page
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(12)
    )
    query = "{ ...F0 }\n" + fragments + "fragment F12 on Query { people(first: 1) { name } }"
    walked = _walked_selection_sets(monkeypatch)

    # when
    cost = _rejected_cost(_tiny_schema(max_cost=5000), query)

    # then: every expansion counted, yet the operation, 13 fragments and one page walked once
    assert cost == 2**12 * (1 + 1 * 1)
    assert len(walked) == len({id(selections) for selections in walked}) == 1 + 13 + 1


def test_circular_fragments_end_the_walk(monkeypatch):
    # given
    query = """
    { ...A }
    fragment A on Query { ...B people { name } }
    fragment B on Query { ...C }
    fragment C on Query { ...A }
    """
    walked = _walked_selection_sets(monkeypatch)

    # when
    errors = _tiny_schema(max_cost=5000).execute_sync(query).errors

    # then: the cycle is reported by validation, and walked once, not followed round
    assert any("Cannot spread fragment 'A' within itself" in error.message for error in errors)
    assert len(walked) == len({id(selections) for selections in walked})


def test_the_rule_class_is_built_once_per_schema_build():
    # given
    from schema.build import build_schema

    limits = {"max_depth": 10, "max_aliases": 15, "max_tokens": 2000, "introspection": True}

    # when
    first, second = build_schema(**limits), build_schema(**limits)

    # then: the same extensions, hence the same rule classes, so the validation cache hits
    assert first.extensions is second.extensions
