"""The request time limit (`C360_REQUEST_TIMEOUT_SECONDS`): a slow operation gets 504, quickly.

A write is stored whole or not at all, and a client is told which: 504 `TIMEOUT` means nothing
changed, `TIMEOUT_AFTER_COMMIT` that the change is stored.
"""

from __future__ import annotations

import asyncio

import aiosqlite
from sqlalchemy import select, text
from sqlalchemy.util import await_

import app.customers.profiles
import app.customers.service
import schema.customers.queries
from app.store.models import AuditEvent, Customer, Interaction
from tests.conftest import running_gateway
from tests.graphql_client import CREATE_CUSTOMER as CREATE
from tests.graphql_client import (
    GRAPHQL_RESPONSE,
    assert_no_errors,
    create_customer,
    error_codes,
    node_id,
)
from tests.web.test_admission import metric

CUSTOMERS = "{ customers { totalCount } }"
RECORD_INTERACTION = """
mutation Record($input: RecordInteractionInput!) { recordInteraction(input: $input) { summary } }
"""


async def test_an_operation_over_the_time_limit_is_cancelled_and_answered_504(
    settings, monkeypatch
):
    # given: listing customers stalls far longer than the limit
    cancelled: list[bool] = []

    async def stalled(*_args, **_kwargs):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    monkeypatch.setattr(schema.customers.queries, "list_customers", stalled)
    limits = {"request_timeout_seconds": 0.2}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        response = await gateway.client.post(
            "/graphql", json={"query": CUSTOMERS}, headers={"accept": GRAPHQL_RESPONSE}
        )
        # then: the app still answers afterwards
        after = await gateway.client.post("/graphql", json={"query": "{ __typename }"})

    # the stalled work was cancelled at the deadline, not waited out
    assert cancelled == [True]
    assert response.status_code == 504
    assert error_codes(response.json()) == ["TIMEOUT"]
    assert "data" not in response.json()
    assert assert_no_errors(after.json()) == {"__typename": "Query"}


async def test_an_operation_within_the_time_limit_answers(settings):
    # given
    limits = {"request_timeout_seconds": 5.0}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        response = await gateway.client.post("/graphql", json={"query": CUSTOMERS})

    # then
    assert response.status_code == 200
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


async def _customers_named(gateway, family_name: str) -> list[Customer]:
    async with gateway.db.session() as session:
        rows = await session.scalars(select(Customer).where(Customer.family_name == family_name))
        return list(rows)


async def test_a_write_cut_by_the_deadline_is_rolled_back_and_answered_504(settings, monkeypatch):
    limits = {"request_timeout_seconds": 0.3}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # given: creating a customer stalls inside its transaction, after its inserts
        async def stalled(*_args, **_kwargs):
            await asyncio.sleep(30)

        monkeypatch.setattr(app.customers.profiles, "customers_written", stalled)
        before = await metric(gateway.client, "c360_request_timeouts_total", outcome="rolled_back")
        # when
        response = await gateway.client.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": {"familyName": "Deadline"}}},
            headers={"accept": GRAPHQL_RESPONSE},
        )
        stored = await _customers_named(gateway, "Deadline")
        after = await metric(gateway.client, "c360_request_timeouts_total", outcome="rolled_back")

    assert response.status_code == 504
    assert error_codes(response.json()) == ["TIMEOUT"]
    assert stored == []
    assert after == before + 1


async def test_a_commit_under_way_at_the_deadline_ends_whole_and_is_answered(settings, monkeypatch):
    limits = {"request_timeout_seconds": 1.5}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # given: the commit goes through, but its acknowledgement comes after the deadline
        dialect = gateway.db.engine.dialect
        real_commit = dialect.do_commit

        def late_acknowledgement(dbapi_connection: object) -> None:
            real_commit(dbapi_connection)
            await_(asyncio.sleep(3))

        monkeypatch.setattr(dialect, "do_commit", late_acknowledgement)
        # when
        response = await gateway.client.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": {"familyName": "Saved"}}},
            headers={"accept": GRAPHQL_RESPONSE},
        )
        monkeypatch.undo()
        stored = await _customers_named(gateway, "Saved")
        audited = await _actions_on(gateway, stored[0].id)

    # then: the client learns the customer is stored (not "timed out": it would send it again)
    assert response.status_code == 200
    created = assert_no_errors(response.json())["createCustomer"]
    assert [node_id(created["id"])] == [row.id for row in stored]
    assert audited == ["create"]


async def test_a_request_cut_after_its_commit_is_told_the_change_is_saved(settings, monkeypatch):
    limits = {"request_timeout_seconds": 1.5}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        customer = await create_customer(gateway.client, familyName="Busy")

        # given: recording an interaction commits, then recomputing metrics stalls
        async def stalled(*_args, **_kwargs):
            await asyncio.sleep(30)

        monkeypatch.setattr(app.customers.service, "refresh_customers", stalled)
        before = await metric(gateway.client, "c360_request_timeouts_total", outcome="committed")
        # when
        response = await gateway.client.post(
            "/graphql",
            json={
                "query": RECORD_INTERACTION,
                "variables": {
                    "input": {
                        "customerId": customer["id"],
                        "channel": "phone",
                        "kind": "note",
                        "summary": "call",
                    }
                },
            },
            headers={"accept": GRAPHQL_RESPONSE},
        )
        after = await metric(gateway.client, "c360_request_timeouts_total", outcome="committed")
        async with gateway.db.session() as session:
            summaries = list(
                await session.scalars(
                    select(Interaction.summary).where(
                        Interaction.customer_id == node_id(customer["id"])
                    )
                )
            )
        audited = await _actions_on(gateway, node_id(customer["id"]))

    # then: not 504 (which means "nothing changed"), no Retry-After; stored once, audited
    assert response.status_code == 200
    assert "retry-after" not in response.headers
    assert error_codes(response.json()) == ["TIMEOUT_AFTER_COMMIT"]
    assert response.json()["data"] is None
    assert summaries == ["call"]
    assert audited.count("record_interaction") == 1
    assert after == before + 1


async def _actions_on(gateway, customer_id: str) -> list[str]:
    async with gateway.db.session() as session:
        rows = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.customer_id == customer_id)
        )
        return list(rows)


async def test_a_statement_running_at_the_deadline_is_stopped(settings, monkeypatch):
    # given: listing customers runs a statement that would take minutes
    if settings.database_url.startswith("sqlite"):
        statement = (
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000000)"
            " SELECT count(*) FROM n"
        )
    else:
        statement = "SELECT pg_sleep(120)"

    async def endless(db, **_kwargs):
        async with db.session() as session:
            await session.execute(text(statement))

    monkeypatch.setattr(schema.customers.queries, "list_customers", endless)
    interrupted = _sqlite_interrupts(monkeypatch)
    limits = {"request_timeout_seconds": 0.3}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        response = await gateway.client.post("/graphql", json={"query": CUSTOMERS})
        after = await gateway.client.post("/graphql", json={"query": "{ __typename }"})
        if not settings.database_url.startswith("sqlite"):
            async with gateway.db.session() as session:
                running = await session.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE query = :statement AND state = 'active'"
                    ),
                    {"statement": statement},
                )
            assert running == 0

    # then: the statement was stopped at the deadline, not waited out (SQLite's connection
    # interrupted; PostgreSQL's statement no longer running, above), and the app still serves
    assert bool(interrupted) is settings.database_url.startswith("sqlite")
    assert response.status_code == 504
    assert error_codes(response.json()) == ["TIMEOUT"]
    assert assert_no_errors(after.json()) == {"__typename": "Query"}


def _sqlite_interrupts(monkeypatch) -> list[aiosqlite.Connection]:
    """The SQLite connections interrupted from now on (their running statements stopped)."""
    interrupted: list[aiosqlite.Connection] = []
    real = aiosqlite.Connection.interrupt

    async def interrupt(self: aiosqlite.Connection) -> None:
        interrupted.append(self)
        await real(self)

    monkeypatch.setattr(aiosqlite.Connection, "interrupt", interrupt)
    return interrupted
