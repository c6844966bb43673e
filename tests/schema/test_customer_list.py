"""`customers(filter, first, after, orderBy)`: filters, orders, keyset pagination, totalCount."""

from __future__ import annotations

import base64

import pytest

from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.schema.rows import at, insert_customers

CUSTOMERS = """
query Customers($filter: CustomerFilter, $first: Int, $after: String, $orderBy: CustomerOrder) {
  customers(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id familyName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _page(client, **variables):
    body = await gql(client, CUSTOMERS, variables)
    return assert_no_errors(body)["customers"]


def _ids(page) -> list[str]:
    return [node_id(edge["node"]["id"]) for edge in page["edges"]]


async def test_an_empty_store_gives_an_empty_page(client):
    # when
    page = await _page(client)

    # then
    assert page == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


async def test_exactly_one_page(client, db):
    # given
    ids = await insert_customers(db, {}, {}, {})

    # when
    page = await _page(client, first=3)

    # then
    assert _ids(page) == ids
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is False


async def test_last_page_has_no_next_page(client, db):
    # given
    ids = await insert_customers(db, {}, {}, {})
    first = await _page(client, first=2)

    # when
    last = await _page(client, first=2, after=first["pageInfo"]["endCursor"])

    # then
    assert first["pageInfo"]["hasNextPage"] is True
    assert _ids(last) == ids[2:]
    assert last["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": last["edges"][0]["cursor"],
        "endCursor": last["edges"][0]["cursor"],
    }
    assert last["totalCount"] == 3


async def test_walking_all_pages_gives_every_customer_exactly_once(client, db):
    # given: equal timestamps, so only the id breaks ties between them
    ids = await insert_customers(
        db, *({"created_at": at(index // 3), "updated_at": at(0)} for index in range(11))
    )
    seen: list[str] = []
    after = None

    # when
    while True:
        page = await _page(client, first=4, after=after)
        seen += _ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 11


@pytest.mark.parametrize(
    ("field", "direction"),
    [
        ("CREATED_AT", "ASC"),
        ("CREATED_AT", "DESC"),
        ("UPDATED_AT", "ASC"),
        ("UPDATED_AT", "DESC"),
        ("FAMILY_NAME", "ASC"),
        ("FAMILY_NAME", "DESC"),
    ],
)
async def test_every_order_walked_page_by_page(client, db, field, direction):
    # given: created order, updated order and name order all differ
    ids = await insert_customers(
        db,
        {"family_name": "Clark", "updated_at": at(30)},
        {"family_name": "Adams", "updated_at": at(10)},
        {"family_name": "Evans", "updated_at": at(50)},
        {"family_name": "Brown", "updated_at": at(40)},
        {"family_name": None, "updated_at": at(20)},
    )
    keys = {
        "CREATED_AT": [0, 1, 2, 3, 4],
        "UPDATED_AT": [1, 4, 0, 3, 2],
        "FAMILY_NAME": [4, 1, 3, 0, 2],
    }[field]
    expected = [ids[index] for index in keys]
    if direction == "DESC":
        expected.reverse()
    order = {"field": field, "direction": direction}

    # when
    first = await _page(client, first=2, orderBy=order)
    second = await _page(client, first=2, orderBy=order, after=first["pageInfo"]["endCursor"])
    third = await _page(client, first=2, orderBy=order, after=second["pageInfo"]["endCursor"])

    # then
    assert _ids(first) + _ids(second) + _ids(third) == expected
    assert third["pageInfo"]["hasNextPage"] is False


async def test_filter_by_lifecycle_stage(client, db):
    # given
    ids = await insert_customers(
        db, {"lifecycle_stage": "active"}, {"lifecycle_stage": "prospect"}, {}
    )

    # when
    page = await _page(client, filter={"lifecycleStage": "ACTIVE"})

    # then
    assert _ids(page) == [ids[0]]
    assert page["totalCount"] == 1


async def test_filter_by_segment(client, db):
    # given
    ids = await insert_customers(db, {"segment": "vip"}, {"segment": "mass"}, {"segment": "vip"})

    # when
    page = await _page(client, filter={"segment": "vip"})

    # then
    assert _ids(page) == [ids[0], ids[2]]
    assert page["totalCount"] == 2


async def test_filter_by_updated_since(client, db):
    # given
    ids = await insert_customers(db, {"updated_at": at(1)}, {"updated_at": at(5)})

    # when
    page = await _page(client, filter={"updatedSince": at(5).isoformat()})

    # then
    assert _ids(page) == [ids[1]]
    assert page["totalCount"] == 1


async def test_filter_by_exact_email_in_any_case(client):
    # given
    jane = await create_customer(client, emails=["jane.doe@example.com"])
    await create_customer(client, emails=["jane.doe@example.org"])

    # when
    page = await _page(client, filter={"email": "  JANE.Doe@EXAMPLE.com "})

    # then
    assert [edge["node"]["id"] for edge in page["edges"]] == [jane["id"]]
    assert page["totalCount"] == 1


async def test_filter_by_phone_in_another_format(client):
    # given
    jane = await create_customer(client, phones=["+44 7911 123456"])
    await create_customer(client, phones=["+44 7911 123457"])

    # when
    page = await _page(client, filter={"phone": "07911-123-456"})

    # then
    assert [edge["node"]["id"] for edge in page["edges"]] == [jane["id"]]
    assert page["totalCount"] == 1


@pytest.mark.parametrize("name", ["doe", "Jane Doe", "JANE DOE"])
async def test_filter_by_name(client, db, name):
    # given
    ids = await insert_customers(
        db,
        {"given_name": "Jane", "family_name": "Doe"},
        {"given_name": "John", "family_name": "Smith"},
    )

    # when
    page = await _page(client, filter={"name": name})

    # then
    assert _ids(page) == [ids[0]]


async def test_filters_combine(client, db):
    # given
    ids = await insert_customers(
        db,
        {"segment": "vip", "lifecycle_stage": "active"},
        {"segment": "vip", "lifecycle_stage": "past"},
    )

    # when
    page = await _page(client, filter={"segment": "vip", "lifecycleStage": "PAST"})

    # then
    assert _ids(page) == [ids[1]]
    assert page["totalCount"] == 1


async def test_merged_customers_are_not_listed(client, db):
    # given
    survivor, _ = await insert_customers(db, {}, {})
    (loser,) = await insert_customers(db, {"merged_into": survivor})

    # when
    page = await _page(client)

    # then
    assert loser not in _ids(page)
    assert page["totalCount"] == 2


async def test_total_count_counts_every_page(client, db):
    # given
    await insert_customers(db, *({} for _ in range(5)))

    # when
    page = await _page(client, first=2)

    # then
    assert len(page["edges"]) == 2
    assert page["totalCount"] == 5


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        base64.urlsafe_b64encode(b"{}").decode(),
        base64.urlsafe_b64encode(b'["2024-01-01T00:00:00+00:00"]').decode(),
        base64.urlsafe_b64encode(b'["yesterday", "id"]').decode(),
        base64.urlsafe_b64encode(b'["2024-01-01T00:00:00", "id"]').decode(),
    ],
)
async def test_malformed_cursor_is_bad_user_input(client, cursor):
    # when
    body = await gql(client, CUSTOMERS, {"after": cursor})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("first", [0, -1, 101, 99999999])
async def test_reliability_07_page_size_out_of_range_is_bad_user_input(client, first):
    # when
    body = await gql(client, CUSTOMERS, {"first": first})

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["maximum"] == 100


async def test_the_largest_page_size_is_accepted(client):
    # when
    body = await gql(client, CUSTOMERS, {"first": 100})

    # then
    assert_no_errors(body)
