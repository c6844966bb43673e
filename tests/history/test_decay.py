"""Contact-data decay: stale shares, yearly change rates, stale fields, the re-verification list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.privacy.principals import Purpose, Role
from app.store.models import ContactPoint, Customer, CustomerChange
from tests.graphql_client import assert_no_errors, create_customer, error_codes, gql, node_id
from tests.history.test_write_paths import ADD_POINT, REMOVE_POINT

DECAY = "{ dataQuality { contactDecay { kind stale { count total } yearlyChangeRate } } }"
QUALITY = "query Q($id: ID!) { customer(id: $id) { quality { staleFields } } }"
STALE = """
query Stale($first: Int, $after: String) {
  staleContactData(first: $first, after: $after) {
    edges { node { staleFields oldestConfirmedAt outdatedLikelihood customer { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NOW = datetime.now(UTC)
TWO_YEARS_AGO = NOW - timedelta(days=730)
TWO_MONTHS_AGO = NOW - timedelta(days=60)


async def _backdate(db, customer_id: str, *, created: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Customer).where(Customer.id == customer_id).values(created_at=created)
        )
        await session.execute(
            update(ContactPoint)
            .where(ContactPoint.customer_id == customer_id)
            .values(created_at=created)
        )
        await session.execute(
            update(CustomerChange)
            .where(CustomerChange.customer_id == customer_id)
            .values(changed_at=created)
        )


async def _world(client, db) -> tuple[str, str]:
    """Ann (email unconfirmed for two years), Bea (changed email two months ago), Cal (new)."""
    ann = await create_customer(client, givenName="Ann", emails=["ann@example.com"])
    await _backdate(db, node_id(ann["id"]), created=TWO_YEARS_AGO)
    bea = await create_customer(client, givenName="Bea", emails=["bea@old.example"])
    await _backdate(db, node_id(bea["id"]), created=TWO_YEARS_AGO)
    added = await gql(
        client,
        ADD_POINT,
        {"input": {"customerId": bea["id"], "kind": "EMAIL", "value": "bea@new.example"}},
    )
    emails = assert_no_errors(added)["addContactPoint"]["emails"]
    old = next(e for e in emails if e["address"] == "bea@old.example")
    assert_no_errors(await gql(client, REMOVE_POINT, {"id": old["id"]}))
    async with db.transaction() as session:
        await session.execute(
            update(CustomerChange)
            .where(
                CustomerChange.customer_id == node_id(bea["id"]),
                CustomerChange.changed_at > TWO_MONTHS_AGO,
            )
            .values(changed_at=TWO_MONTHS_AGO)
        )
    await create_customer(client, givenName="Cal", emails=["cal@example.com"])
    return ann["id"], bea["id"]


async def test_data_quality_reports_stale_shares_and_yearly_change_rates(client, db):
    # given
    await _world(client, db)

    # when
    body = assert_no_errors(await gql(client, DECAY))

    # then: Ann's email is stale (1 of 3); of Ann and Bea, known a year ago, Bea's changed
    decay = {d["kind"]: d for d in body["dataQuality"]["contactDecay"]}
    assert decay["email"]["stale"] == {"count": 1, "total": 3}
    assert decay["email"]["yearlyChangeRate"] == 0.5
    assert decay["phone"]["stale"] == {"count": 0, "total": 0}


async def test_quality_names_the_stale_fields(client, db):
    ann, bea = await _world(client, db)
    stale = {}
    for customer_id in (ann, bea):
        body = assert_no_errors(await gql(client, QUALITY, {"id": customer_id}))
        stale[customer_id] = body["customer"]["quality"]["staleFields"]
    assert stale == {ann: ["email"], bea: []}


async def test_stewards_list_customers_whose_contact_data_is_likely_outdated(client, db):
    # given
    ann, _ = await _world(client, db)

    # when
    body = assert_no_errors(await gql(client, STALE, {"first": 10}))

    # then: only Ann; two years unconfirmed at a 50% yearly change rate is 75% likely outdated
    edges = body["staleContactData"]["edges"]
    assert [e["node"]["customer"]["id"] for e in edges] == [ann]
    assert edges[0]["node"]["staleFields"] == ["email"]
    assert abs(edges[0]["node"]["outdatedLikelihood"] - 0.75) < 0.01
    assert body["staleContactData"]["pageInfo"]["hasNextPage"] is False


async def test_the_stale_list_is_for_stewards_and_admins(client_for):
    analyst = await client_for(Role.ANALYST, Purpose.ANALYTICS)
    assert error_codes(await gql(analyst, STALE)) == ["FORBIDDEN"]
