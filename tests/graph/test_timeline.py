"""`Customer.interactions`: one timeline across the store and every source, newest first."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import linked_to_all

TIMELINE = """
query Timeline($id: ID!, $first: Int, $after: String, $channels: [String!], $since: DateTime) {
  customer(id: $id) {
    interactions(first: $first, after: $after, channels: $channels, since: $since) {
      edges { cursor node { id source channel kind occurredAt summary } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""


async def _pages(client, node, size, **filters):
    pages, after = [], None
    while True:
        variables = {"id": node, "first": size, "after": after, **filters}
        page = assert_no_errors(await gql(client, TIMELINE, variables))["customer"]["interactions"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


def _nodes(pages):
    return [edge["node"] for page in pages for edge in page["edges"]]


async def test_the_timeline_merges_every_source_newest_first(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])

    # when
    async with start_gateway() as gateway:
        body = await gql(gateway.client, TIMELINE, {"id": node, "first": 100})

    # then
    entries = [e["node"] for e in assert_no_errors(body)["customer"]["interactions"]["edges"]]
    times = [datetime.fromisoformat(entry["occurredAt"]) for entry in entries]
    assert times == sorted(times, reverse=True)
    assert {"gateway", "hubspot", "odoo"} <= {entry["source"] for entry in entries}
    assert len({entry["id"] for entry in entries}) == len(entries)


async def test_timeline_pages_across_sources_add_up_to_the_whole_timeline(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[1])

    # when
    async with start_gateway() as gateway:
        whole = await gql(gateway.client, TIMELINE, {"id": node, "first": 100})
        pages = await _pages(gateway.client, node, 7)

    # then
    everything = [e["node"] for e in assert_no_errors(whole)["customer"]["interactions"]["edges"]]
    assert _nodes(pages) == everything
    assert len(pages) > 2
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)


async def test_channels_and_since_filter_every_source(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])
    since = datetime(2023, 1, 1, tzinfo=UTC)

    # when
    async with start_gateway() as gateway:
        orders = await _pages(gateway.client, node, 5, channels=["order", "phone"])
        survey_calls = gateway.sources.requests("surveymonkey")
        recent = await _pages(gateway.client, node, 50, since=since.isoformat())

    # then
    assert {n["channel"] for n in _nodes(orders)} <= {"order", "phone"}
    assert "order" in {n["channel"] for n in _nodes(orders)}
    # The survey tool holds no order or phone entries: the filtered pages never asked it.
    assert survey_calls == 0
    assert all(datetime.fromisoformat(n["occurredAt"]) >= since for n in _nodes(recent))


async def test_a_malformed_timeline_cursor_is_bad_user_input(start_gateway, world):
    # given
    node = global_id("Customer", linked_to_all(world)[0])

    # when
    async with start_gateway() as gateway:
        body = await gql(gateway.client, TIMELINE, {"id": node, "after": "bm90IGEgY3Vyc29y"})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
