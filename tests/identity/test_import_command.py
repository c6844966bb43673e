"""`c360 import` end to end: a CSV file linked into a migrated store, read back through GraphQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.metrics.recompute import SOURCE as RECOMPUTED
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import MetricObservation
from composition.cli import app
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()

LEGACY = """\
ref,first,last,email,phone,street,city,postcode,country,birth_date
L1,Jane,Doe,jane.doe@example.org,0113 496 0123,1 High Street,Leeds,LS1 4AP,GB,1985-07-21
L2,Oliver,Grant,og@example.com,,12 Mill Lane,Leeds,LS2 7EW,GB,1970-01-02
L3,Mary,Major,mary@example.net,020 7946 0999,3 Park Road,London,E1 6AN,GB,
"""
WEBSHOP = """\
id,given_name,family_name,email,phone,city,postcode,country,birth_date
W1,Jane,DOE,Jane.Doe@Example.org,+44 113 496 0123,Leeds,LS1 4AP,GB,21/07/1985
W2,Oliver,Grant,og@example.com,,Leeds,LS2 7EW,GB,1971-05-05
W3,Peter,Piper,peter@example.com,,Bristol,BS1 4DJ,GB,
"""
MAP = ["--map", "first=given_name", "--map", "last=family_name"]

BY_SOURCE = """
query BySource($system: String!, $externalId: String!) {
  customerBySourceId(system: $system, externalId: $externalId) {
    id givenName familyName birthDate
    provenance { field system rule recordedAt }
    emails { address source } phones { number }
    identities { system externalId method score }
  }
}
"""
COUNT = "{ customers(first: 1) { totalCount } }"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/import.db"
    upgrade(url)
    monkeypatch.setenv("C360_DATABASE_URL", url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)
    return url


def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _query(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
            return assert_no_errors(await gql(gateway.client, query, variables))

    return asyncio.run(read())


def _by_source(url: str, system: str, external_id: str) -> dict[str, Any]:
    found = _query(url, BY_SOURCE, {"system": system, "externalId": external_id})
    return found["customerBySourceId"]


def _import(path: Path, source: str, id_column: str, *extra: str) -> Any:
    return runner.invoke(
        app, ["import", str(path), "--source", source, "--id-column", id_column, *extra]
    )


def test_import_creates_customers_with_their_contact_points(store: str, tmp_path: Path) -> None:
    # when
    result = _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP)

    # then
    assert result.exit_code == 0, result.output
    assert "records read" in result.output and "new customers" in result.output
    jane = _by_source(store, "legacy", "L1")
    assert (jane["givenName"], jane["familyName"], jane["birthDate"]) == (
        "Jane",
        "Doe",
        "1985-07-21",
    )
    assert jane["emails"] == [{"address": "jane.doe@example.org", "source": "legacy"}]
    assert jane["phones"] == [{"number": "+441134960123"}]
    assert _query(store, COUNT)["customers"]["totalCount"] == 3


def test_a_second_source_links_matches_reviews_conflicts_and_creates_the_rest(
    store: str, tmp_path: Path
) -> None:
    # given
    assert _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP).exit_code == 0

    # when
    result = _import(_file(tmp_path, "webshop.csv", WEBSHOP), "webshop", "id")

    # then: W1 joins L1's customer; W2's birth date conflicts, so it is a new customer under
    # review rather than a silent merge; W3 is new.
    assert result.exit_code == 0, result.output
    jane = _by_source(store, "webshop", "W1")
    assert jane["id"] == _by_source(store, "legacy", "L1")["id"]
    identities = {(i["system"], i["externalId"]): i for i in jane["identities"]}
    assert set(identities) == {("legacy", "L1"), ("webshop", "W1")}
    assert identities[("webshop", "W1")]["method"] in ("FUZZY", "DETERMINISTIC")
    assert identities[("webshop", "W1")]["score"] >= 0.9
    # Both files rank alike, so the newer spelling wins, and the lineage says so.
    lineage = {p["field"]: (p["system"], p["rule"]) for p in jane["provenance"]}
    assert jane["familyName"] == "DOE"
    assert lineage["family_name"] == ("webshop", "most_recent")
    assert lineage["given_name"][1] == "single_value"
    assert lineage["birth_date"][1] == "single_value"
    oliver_web = _by_source(store, "webshop", "W2")
    assert oliver_web["id"] != _by_source(store, "legacy", "L2")["id"]
    assert _query(store, COUNT)["customers"]["totalCount"] == 5
    assert _summary_row(result.output, "linked to existing customers") == "1"
    assert _summary_row(result.output, "new customers with a candidate") == "1"
    assert _summary_row(result.output, "new customers") == "1"


def test_importing_the_same_file_again_only_refreshes(store: str, tmp_path: Path) -> None:
    # given
    legacy = _file(tmp_path, "legacy.csv", LEGACY)
    assert _import(legacy, "legacy", "ref", *MAP).exit_code == 0

    # when
    again = _import(legacy, "legacy", "ref", *MAP)

    # then
    assert again.exit_code == 0, again.output
    assert _summary_row(again.output, "already linked, refreshed") == "3"
    assert _summary_row(again.output, "new customers") == "0"
    assert _query(store, COUNT)["customers"]["totalCount"] == 3


def test_rows_that_identify_nobody_are_skipped_with_the_reason(store: str, tmp_path: Path) -> None:
    # given
    path = _file(tmp_path, "thin.csv", "id,city\n1,Leeds\n2,York\n")

    # when
    result = _import(path, "thin", "id")

    # then
    assert result.exit_code == 0, result.output
    assert "nothing identifies the person" in result.output
    assert _query(store, COUNT)["customers"]["totalCount"] == 0


def _recomputed(url: str) -> dict[str, dict[str, float]]:
    """Each customer's recomputed metrics (name -> value)."""

    async def read() -> dict[str, dict[str, float]]:
        db = Database(url)
        found: dict[str, dict[str, float]] = {}
        try:
            async with db.session() as session:
                statement = select(MetricObservation).where(MetricObservation.source == RECOMPUTED)
                for row in await session.scalars(statement):
                    found.setdefault(row.customer_id, {})[row.name] = row.value
        finally:
            await db.dispose()
        return found

    return asyncio.run(read())


def test_without_connectors_import_recomputes_from_the_stores_data(
    store: str, tmp_path: Path
) -> None:
    # when
    result = _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP)

    # then: each new customer has metrics from what the store holds (no orders, no answers)
    assert result.exit_code == 0, result.output
    assert "from the store's data only" in " ".join(result.output.split())
    recomputed = _recomputed(store)
    assert len(recomputed) == 3  # the file's three new customers
    assert all(metrics["order_count"] == 0 for metrics in recomputed.values())
    assert "nps" not in {name for metrics in recomputed.values() for name in metrics}
    assert _summary_row(result.output, "customers computed") == "3"


def test_import_with_no_metrics_writes_none(store: str, tmp_path: Path) -> None:
    result = _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP, "--no-metrics")

    assert result.exit_code == 0, result.output
    assert "metrics not recomputed (--no-metrics)" in result.output
    assert _recomputed(store) == {}


def _summary_row(output: str, label: str) -> str:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0] == label:
            return cells[1].split()[0]
    raise AssertionError(f"no {label!r} row in:\n{output}")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--id-column", "ref"], "no such file"),
        (b"ref,first\n1,J\xe9r\xf4me\n", ["--id-column", "ref"], "not UTF-8"),
        ("", ["--id-column", "ref"], "the file is empty"),
        (LEGACY, ["--id-column", "customer"], "no id column 'customer'"),
        (LEGACY, ["--id-column", "ref", "--map", "first=nickname"], "unknown field 'nickname'"),
        (LEGACY, ["--id-column", "ref", "--map", "first"], "not of the form CSVCOL=FIELD"),
        (LEGACY, ["--id-column", "ref", "--map", "absent=email"], "'absent' given in --map"),
        ("ref,email\n1,a@b.org\n1,c@d.org\n", ["--id-column", "ref"], "already used on line 2"),
    ],
)
def test_bad_files_get_a_clear_message_and_a_non_zero_exit(
    store: str, tmp_path: Path, content: str | bytes | None, args: list[str], message: str
) -> None:
    # given
    path = tmp_path / "missing.csv" if content is None else _file(tmp_path, "in.csv", content)

    # when
    result = runner.invoke(app, ["import", str(path), "--source", "legacy", *args])

    # then
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert _query(store, COUNT)["customers"]["totalCount"] == 0


def test_a_bad_source_name_is_refused(store: str, tmp_path: Path) -> None:
    result = _import(_file(tmp_path, "legacy.csv", LEGACY), "no such/source", "ref")

    assert result.exit_code == 2
    assert "--source must be" in result.output


def test_a_store_that_was_never_upgraded_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("C360_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/empty.db")

    # when
    result = _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP)

    # then
    assert result.exit_code == 2
    assert "c360 db upgrade" in " ".join(result.output.split())
    assert "Traceback" not in result.output
