"""`c360 dsar export` and `c360 dsar erase` against the test databases, audited."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from app.store.models import AuditEvent
from composition.cli import app
from connectors.config_toml import dump_connectors_config
from simulators.config import demo_environment
from tests.graphql_client import error_codes, gql
from tests.privacy.people import JANE_EMAIL, create_person
from tests.sources.conftest import connectors_config

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)


async def _dsar(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it cannot run on the test's loop.
    return await asyncio.to_thread(runner.invoke, app, ["dsar", *args])


async def test_dsar_export_writes_the_subjects_document_and_audits_it(client, db, tmp_path):
    # given
    jane = await create_person(client)
    output = tmp_path / "jane.json"

    # when
    result = await _dsar("export", jane.id, "--output", str(output))

    # then
    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text())
    assert document["customer_id"] == jane.store_id
    emails = [p["value"] for p in document["master_store"]["contact_points"]]
    assert JANE_EMAIL in emails
    assert {s["status"] for s in document["sources"].values()} == {"NOT_LINKED"}
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.customer_id == jane.store_id, AuditEvent.action == "export"
            )
        )
        assert [(row.principal, row.role) for row in rows] == [("cli", "admin")]


async def test_dsar_export_prints_to_stdout_by_store_id(client):
    # given
    jane = await create_person(client)

    # when
    result = await _dsar("export", jane.store_id)

    # then
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["customer_id"] == jane.store_id


async def test_dsar_export_of_an_unknown_customer_fails_cleanly(client):  # noqa: ARG001
    # when
    result = await _dsar("export", "00000000-0000-0000-0000-000000000000")

    # then
    assert result.exit_code == 1
    assert "no customer" in result.output


async def test_dsar_erase_erases_audits_and_can_run_again(client, db):
    # given
    jane = await create_person(client)

    # when
    first = await _dsar("erase", jane.id)
    second = await _dsar("erase", jane.store_id)

    # then
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    body = await gql(client, "query($id: ID!) { customer(id: $id) { id } }", {"id": jane.id})
    assert error_codes(body) == ["NOT_FOUND"]
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.customer_id == jane.store_id, AuditEvent.action == "erase"
            )
        )
        assert [row.principal for row in rows] == ["cli", "cli"]


async def test_dsar_erase_of_an_unknown_customer_fails_cleanly(client):  # noqa: ARG001
    # when
    result = await _dsar("erase", "00000000-0000-0000-0000-000000000000")

    # then
    assert result.exit_code == 1
    assert "no customer" in result.output


async def test_dsar_erase_exits_3_while_a_system_has_not_erased(client, monkeypatch, tmp_path):
    # given: Jane is linked to a CRM that cannot be reached (nothing listens on port 9)
    jane = await create_person(client)
    link = {"customerId": jane.id, "system": "hubspot", "externalId": "77"}
    mutation = """
    mutation($input: LinkSourceIdentityInput!) { linkSourceIdentity(input: $input) { id } }
    """
    assert "errors" not in await gql(client, mutation, {"input": link})
    config = connectors_config(hubspot={"base_url": "http://127.0.0.1:9"})
    connectors_file = tmp_path / "connectors.toml"
    connectors_file.write_text(dump_connectors_config(config))
    monkeypatch.setenv("C360_CONNECTORS_FILE", str(connectors_file))
    for name, value in demo_environment().items():
        monkeypatch.setenv(name, value)

    # when
    first = await _dsar("erase", jane.id)
    again = await _dsar("erase", jane.id)

    # then: erased locally, incomplete upstream, and each run retries the CRM
    assert first.exit_code == 3, first.output
    assert "hubspot: failed" in first.output
    assert again.exit_code == 3, again.output
    body = await gql(client, "query($id: ID!) { customer(id: $id) { id } }", {"id": jane.id})
    assert error_codes(body) == ["NOT_FOUND"]
