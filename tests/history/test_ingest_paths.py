"""`c360 import` and `c360 sync` record what they change."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.store.db import Database
from app.store.models import CustomerChange
from composition.cli import app
from tests.identity.test_sync_command import simulators, store, world  # noqa: F401

runner = CliRunner()
FIRST = """\
ref,first,last,email,street,city,postcode,country
L1,Jane,Doe,jane.doe@example.org,1 High Street,Leeds,LS1 4AP,GB
"""
MOVED = """\
ref,first,last,email,street,city,postcode,country
L1,Jane,Doe,jane@doe.example,9 Park Road,York,YO1 7HH,GB
"""
CONTACTS = ("email", "phone", "address")
MAP = ["--map", "first=given_name", "--map", "last=family_name"]


def _changes(url: str) -> list[CustomerChange]:
    async def read() -> list[CustomerChange]:
        db = Database(url)
        try:
            async with db.session() as session:
                rows = await session.scalars(select(CustomerChange).order_by(CustomerChange.id))
                return list(rows)
        finally:
            await db.dispose()

    return asyncio.run(read())


def _import(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(path), "--source", "legacy", "--id-column", "ref", *MAP, "--no-metrics"]
    )
    assert result.exit_code == 0, result.output


def test_import_records_the_fields_contact_points_and_identity_it_adds(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)
    _import(tmp_path, "first.csv", FIRST)

    # when: the same record comes again with a new email and address
    _import(tmp_path, "moved.csv", MOVED)

    # then
    rows = _changes(database_url)
    added = {(r.field, r.action, r.new_value["value"]) for r in rows if r.field in CONTACTS}
    assert ("email", "added", "jane@doe.example") in added
    assert ("address", "added", "9 Park Road, YO1 7HH, York, GB") in added
    assert any(r.field == "identity" and r.action == "linked" for r in rows)
    names = [r for r in rows if r.field == "given_name"]
    assert [(r.new_value, r.source, r.rule) for r in names] == [("Jane", "legacy", "single_value")]
    assert {r.principal for r in rows} == {"cli:import"}


def test_sync_records_links_with_the_source_systems_own_change_time(
    store: str,  # noqa: F811
    simulators: dict[str, Any],  # noqa: F811
) -> None:
    # when
    result = runner.invoke(app, ["sync", "--system", "hubspot", "--no-metrics"])

    # then: each link is dated by HubSpot's lastmodifieddate, not by when the gateway heard
    assert result.exit_code == 0, result.output
    rows = _changes(store)
    linked = [r for r in rows if r.field == "identity" and r.principal == "cli:sync"]
    assert linked
    assert {r.source for r in linked} == {"hubspot"}
    late = [(r.item, r.changed_at, r.recorded_at) for r in linked if r.changed_at >= r.recorded_at]
    assert late == []
    assert len({r.changed_at for r in linked}) > 1


DATED = """\
ref,first,last,email,updated
D1,Jane,Roe,jane.roe@example.org,2024-03-05T10:00:00+00:00
"""


def test_import_dates_its_changes_by_the_sources_change_column(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)
    path = tmp_path / "dated.csv"
    path.write_text(DATED, encoding="utf-8")

    # when
    result = runner.invoke(
        app,
        [
            "import",
            str(path),
            "--source",
            "legacy",
            "--id-column",
            "ref",
            *MAP,
            "--changed-column",
            "updated",
            "--no-metrics",
        ],
    )

    # then
    assert result.exit_code == 0, result.output
    rows = _changes(database_url)
    assert rows
    assert {r.changed_at.isoformat() for r in rows} == {"2024-03-05T10:00:00+00:00"}
