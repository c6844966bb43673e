"""The `c360` command line, run in-process with typer's CliRunner on a temporary SQLite file."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from composition.cli import app
from schema.sdl import schema_sdl
from simulators.world import build_world
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()

PAGE = "{ customers(first: 100) { totalCount edges { node { id emails { address } } } } }"


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("C360_DATABASE_URL", url)
    return url


def _query(url: str, query: str) -> dict:
    async def read() -> dict:
        async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
            return assert_no_errors(await gql(gateway.client, query))

    return asyncio.run(read())


def _read_page(url: str) -> dict:
    return _query(url, PAGE)["customers"]


def test_db_upgrade(database_url):
    # when
    result = runner.invoke(app, ["db", "upgrade"])

    # then
    assert result.exit_code == 0, result.output
    assert _read_page(database_url)["totalCount"] == 0


def test_seed_writes_customers_readable_through_graphql(database_url):
    # given
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    # when
    result = runner.invoke(app, ["seed", "--customers", "50"])

    # then
    assert result.exit_code == 0, result.output
    page = _read_page(database_url)
    assert page["totalCount"] == 50
    assert len(page["edges"]) == 50
    assert any(edge["node"]["emails"] for edge in page["edges"])


def test_seeded_addresses_keep_their_fields(database_url):
    # given: the world's addresses, as the seed writes them
    world = build_world(20, 360)
    expected = sorted(
        (address.kind, address.city, address.postcode, address.country)
        for person in world.people
        for address in person.addresses
    )
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    # when
    assert runner.invoke(app, ["seed", "--customers", "20"]).exit_code == 0

    # then: label, city, postcode and country survive next to the emails and phones
    query = (
        "{ customers(first: 50) { edges { node { addresses { label city postcode country } } } } }"
    )
    pages = _query(database_url, query)["customers"]["edges"]
    stored = sorted(
        (a["label"], a["city"], a["postcode"], a["country"])
        for edge in pages
        for a in edge["node"]["addresses"]
    )
    assert stored == expected
    assert all(city for _, city, _, _ in stored)


def test_seeding_twice_is_refused(database_url):
    # given
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--customers", "5"]).exit_code == 0

    # when
    result = runner.invoke(app, ["seed", "--customers", "5"])

    # then
    assert result.exit_code == 1
    assert _read_page(database_url)["totalCount"] == 5


def test_schema_export_to_a_file(tmp_path):
    # given
    output = tmp_path / "schema.graphql"

    # when
    result = runner.invoke(app, ["schema", "export", "--output", str(output)])

    # then
    assert result.exit_code == 0, result.output
    assert output.read_text() == schema_sdl()


def test_schema_export_to_stdout():
    # when
    result = runner.invoke(app, ["schema", "export"])

    # then
    assert result.exit_code == 0
    assert result.stdout == schema_sdl()


def test_dedupe_is_a_c360_command(tmp_path):
    # given a file with one obvious duplicate pair
    source = tmp_path / "people.csv"
    source.write_text(
        "id,given_name,family_name,email,phone,postcode\n"
        "1,Jane,Doe,jane.doe@example.com,+447911123456,LS1 4AP\n"
        "2,Jane,Doe,JANE.DOE@example.com,07911 123456,LS1 4AP\n"
        "3,Omar,Haddad,omar@example.org,+447700900999,M1 1AE\n",
        encoding="utf-8",
    )
    output = tmp_path / "pairs.csv"
    # when
    result = CliRunner().invoke(
        app, ["dedupe", str(source), "--id-column", "id", "--output", str(output)]
    )
    # then
    assert result.exit_code == 0, result.output
    rows = output.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "left_id,right_id,score"
    assert [row.split(",")[:2] for row in rows[1:]] == [["1", "2"]]


def _observation_count(url: str) -> int:
    from sqlalchemy import func, select

    from app.store.db import Database
    from app.store.models import MetricObservation

    async def count() -> int:
        db = Database(url)
        try:
            async with db.session() as session:
                statement = select(func.count()).where(MetricObservation.source == "recompute")
                return int(await session.scalar(statement) or 0)
        finally:
            await db.dispose()

    return asyncio.run(count())


def test_metrics_recompute_writes_once_and_reports_a_summary(database_url):
    # given: a seeded store and no connectors (links to unconfigured systems are ignored)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--customers", "30"]).exit_code == 0

    # when
    first = runner.invoke(app, ["metrics", "recompute", "--batch-size", "7"])
    written = _observation_count(database_url)
    second = runner.invoke(app, ["metrics", "recompute"])

    # then
    assert first.exit_code == 0, first.output
    assert "customers computed" in first.output and "30" in first.output
    assert written > 0
    assert second.exit_code == 0, second.output
    assert _observation_count(database_url) == written


def test_metrics_recompute_refuses_an_unknown_metric(database_url):
    # given
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    # when
    result = runner.invoke(app, ["metrics", "recompute", "--metric", "happiness"])

    # then
    assert result.exit_code == 2
    assert "unknown metric" in result.output
