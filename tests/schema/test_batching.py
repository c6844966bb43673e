"""N+1 guard: a page of customers with nested data costs a bounded number of SQL statements."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Engine, event

from app.store.models import ContactPoint, SourceLink
from tests.graphql_client import assert_no_errors, gql
from tests.schema.rows import at, insert_consents, insert_customers, insert_metrics

PAGE = """
query Page($first: Int!) {
  customers(first: $first) {
    totalCount
    edges { node {
      id
      emails { address }
      metrics { name value trend }
      consents { purpose state }
      identities { system externalId }
    } }
  }
}
"""


@contextmanager
def counting_statements(engine=Engine):
    """Statements run while the block runs; by default on every engine (on SQLite the serving
    path reads through its own synchronous engine, see `Database.read`)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _customers_with_data(db, count: int) -> None:
    ids = await insert_customers(db, *({} for _ in range(count)))
    async with db.transaction() as session:
        for index, customer_id in enumerate(ids):
            session.add(
                ContactPoint(customer_id=customer_id, kind="email", value=f"c{index}@example.com")
            )
            session.add(SourceLink(customer_id=customer_id, system="odoo", external_id=str(index)))
    for customer_id in ids:
        await insert_metrics(db, customer_id, "nps", (5, at(1)), (7, at(2)))
        await insert_consents(
            db,
            customer_id,
            {"purpose": "marketing", "channel": "email", "status": "granted", "captured_at": at(1)},
        )


async def _statements_for_page(gateway, first: int) -> int:
    with counting_statements() as statements:
        body = await gql(gateway.client, PAGE, {"first": first})
    edges = assert_no_errors(body)["customers"]["edges"]
    assert len(edges) == first
    assert all(edge["node"]["emails"] and edge["node"]["metrics"] for edge in edges)
    return len(statements)


async def test_a_page_of_customers_runs_a_bounded_number_of_statements(gateway):
    # given: warmed up, so the API key is authenticated from the cache
    await _customers_with_data(gateway.db, 50)
    assert_no_errors(await gql(gateway.client, "{ __typename }"))

    # when
    small = await _statements_for_page(gateway, 5)
    large = await _statements_for_page(gateway, 50)

    # then: page, count, then one batched query per kind of data
    assert large == small
    assert large <= 8
