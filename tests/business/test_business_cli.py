"""`c360 spend import` and the acquisition columns of `c360 import`, run in-process, read back
through GraphQL over HTTP."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from composition.cli import app
from simulators.world import build_world
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()

METRICS = """
{ businessMetrics(from: "2025-01-01", to: "2025-03-31", groupBy: CHANNEL,
                  costBasis: FULLY_LOADED) {
    groups { key acquired spend cac { value } }
} }
"""
SPEND_HEADER = "period_start,period_end,channel,campaign,category,amount,currency\n"


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("C360_DATABASE_URL", url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return url


def _query(url: str, query: str) -> dict:
    async def read() -> dict:
        async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
            return assert_no_errors(await gql(gateway.client, query))

    return asyncio.run(read())


def _groups(url: str) -> list[dict]:
    return _query(url, METRICS)["businessMetrics"]["groups"]


def test_spend_import_converts_and_writes_every_row(database_url, tmp_path):
    # given
    path = tmp_path / "spend.csv"
    path.write_text(
        SPEND_HEADER
        + "2025-01-01,2025-03-31,Search,spring,MEDIA,1000,EUR\n"
        + "2025-01-01,2025-01-31,search,,tools_software,100,GBP\n"
    )

    # when
    result = runner.invoke(app, ["spend", "import", str(path)])

    # then: 1000 + 100 GBP x 1.15
    assert result.exit_code == 0, result.output
    assert "imported 2 spend rows, 1,115.00 EUR" in result.output
    (search,) = _groups(database_url)
    assert (search["key"], search["spend"]) == ("search", pytest.approx(1115))


def test_spend_import_names_every_bad_line_and_writes_nothing(database_url, tmp_path):
    # given: a good row, then an unknown category, a bad amount and a currency without a rate
    path = tmp_path / "spend.csv"
    path.write_text(
        SPEND_HEADER
        + "2025-01-01,2025-03-31,search,,MEDIA,1000,EUR\n"
        + "2025-01-01,2025-03-31,search,,BILLBOARDS,10,EUR\n"
        + "2025-01-01,2025-03-31,search,,MEDIA,ten,EUR\n"
        + "2025-01-01,2025-03-31,search,,MEDIA,10,JPY\n"
    )

    # when
    result = runner.invoke(app, ["spend", "import", str(path)])

    # then
    assert result.exit_code == 1
    assert "line 3: category must be one of" in result.output
    assert "line 4: amount must be a number" in result.output
    assert "line 5: no exchange rate from 'JPY'" in result.output
    assert "nothing imported" in result.output
    assert _groups(database_url) == []


def test_import_sets_acquisitions_from_mapped_columns(database_url, tmp_path):
    # given
    path = tmp_path / "legacy.csv"
    path.write_text(
        "id,given_name,family_name,email,first_seen,acquisition_channel,acquisition_campaign\n"
        "1,Ann,Lee,ann@example.com,2025-02-03,Email,winter\n"
        "2,Bo,Kim,bo@example.com,2025-02-10T09:30:00+00:00,email,\n"
        "3,Cy,Ng,cy@example.com,,,\n"
    )

    # when
    args = ["import", str(path), "--source", "legacy", "--id-column", "id"]
    result = runner.invoke(app, [*args, "--map", "first_seen=acquired_at", "--no-metrics"])

    # then
    assert result.exit_code == 0, result.output
    assert "acquisitions set: 2 of 2 rows" in result.output
    (email,) = _groups(database_url)
    assert (email["key"], email["acquired"]) == ("email", 2)


def test_import_refuses_a_bad_acquisition_date_with_its_line(database_url, tmp_path):
    # given
    path = tmp_path / "legacy.csv"
    path.write_text("id,given_name,email,acquired_at\n1,Ann,ann@example.com,03/02/2025\n")

    # when
    result = runner.invoke(app, ["import", str(path), "--source", "legacy", "--id-column", "id"])

    # then
    assert result.exit_code != 0
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "line 2: acquired_at '03/02/2025' is not a date" in output


def test_the_demo_seed_has_acquisitions_and_spend(database_url):
    # given
    world = build_world(60)
    acquired = [p for p in world.people if p.lifecycle_stage != "prospect"]
    current = [p for p in acquired if p.lifecycle_stage == "active"]

    # when
    assert runner.invoke(app, ["seed", "--customers", "60"]).exit_code == 0
    until = world.now.date().isoformat()
    query = (
        f'{{ businessMetrics(from: "2015-01-01", to: "{until}", costBasis: FULLY_LOADED) {{'
        " groups { customersAtStart acquired customersAtEnd spend cac { value } } } }"
    )

    # then
    (group,) = _query(database_url, query)["businessMetrics"]["groups"]
    assert (group["customersAtStart"], group["acquired"]) == (0, len(acquired))
    assert group["customersAtEnd"] == len(current)
    assert group["spend"] > 0
    assert group["cac"]["value"] == pytest.approx(group["spend"] / len(acquired))
