"""`c360 sync` against in-process simulators: the world's people land on their customers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

import app.identity.ingest_commands as commands
from app.graph import CustomerGraph, customer_graph
from app.metrics.recompute import SOURCE as RECOMPUTED
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import MatchCandidate, MetricObservation, SourceLink, SyncCheckpoint
from composition.cli import app
from simulators import FaultSettings, create_simulator_app
from simulators.config import demo_environment
from simulators.seeding import seed
from simulators.world import World, build_world
from tests.sources.conftest import connectors_config

runner = CliRunner()
WORLD_SIZE = 80
WORLD_SEED = 5
SOURCE_SYSTEMS = ("hubspot", "odoo", "surveymonkey", "zendesk")
# The recompute after a sync reads every linked customer's sources in one batch per kind:
# in-process simulators on a loaded machine need more than the sources tests' budget.
SOURCE_BUDGET = 30.0


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WORLD_SIZE, WORLD_SEED)


def _run(url: str, work: Any) -> Any:
    """Run `work(db)` on a Database opened for it."""

    async def run() -> Any:
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world: World) -> str:
    """The seeded world's customers without their ERP, CRM and survey links, for sync to find."""
    url = f"sqlite+aiosqlite:///{tmp_path}/sync.db"
    upgrade(url)

    async def arrange(db: Database) -> None:
        await seed(db, customers=WORLD_SIZE, seed_value=WORLD_SEED)
        async with db.transaction() as session:
            await session.execute(
                delete(SourceLink).where(SourceLink.system.in_(SOURCE_SYSTEMS))  # type: ignore[attr-defined]
            )

    _run(url, arrange)
    monkeypatch.setenv("C360_DATABASE_URL", url)
    return url


@pytest.fixture
def simulators(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Serve the simulators in-process to the connectors `c360 sync` and `c360 import` open."""
    apps = {system: create_simulator_app(system, world) for system in SOURCE_SYSTEMS}

    def open_sources(settings: Settings, *, required: bool = True) -> CustomerGraph:
        transports = {s: httpx.ASGITransport(app=a) for s, a in apps.items()}
        return customer_graph(
            settings,
            connectors_config(budget=SOURCE_BUDGET),
            environ=demo_environment(),
            transports=transports,
        )

    monkeypatch.setattr(commands, "open_sources", open_sources)
    return apps


async def _links(db: Database) -> dict[tuple[str, str], str]:
    async with db.session() as session:
        rows = await session.scalars(select(SourceLink))
        return {(r.system, r.external_id): r.customer_id for r in rows}


async def _count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return len((await session.scalars(select(model))).all())


async def _recomputed(db: Database) -> dict[str, dict[str, float]]:
    """Each customer's recomputed metrics (name -> value), from `metric_observation`."""
    statement = select(MetricObservation).where(MetricObservation.source == RECOMPUTED)
    found: dict[str, dict[str, float]] = {}
    async with db.session() as session:
        for row in await session.scalars(statement):
            found.setdefault(row.customer_id, {})[row.name] = row.value
    return found


def _summary_row(output: str, title_system: str, label: str) -> int:
    section = output.split(title_system, 1)[1] if title_system.startswith("metrics") else ""
    section = section or output.split(f"sync {title_system}", 1)[1]
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0] == label:
            return int(cells[1].split()[0].replace(",", ""))
    raise AssertionError(f"no {label!r} row for {title_system} in:\n{output}")


def test_sync_links_the_worlds_people_to_their_customers(
    store: str, simulators: dict[str, Any], world: World
) -> None:
    # when
    result = runner.invoke(app, ["sync"])

    # then: every identity the ERP and the CRM hold is linked, to the right customer
    assert result.exit_code == 0, result.output
    links = _run(store, _links)
    truth = {(link.system, link.external_id): link.customer_id for link in world.links}
    person_identities = {k: v for k, v in truth.items() if k[0] in ("odoo", "hubspot")}
    linked_right = [k for k, customer in person_identities.items() if links.get(k) == customer]
    assert len(linked_right) == len(person_identities)
    wrong = [
        k
        for k, customer in truth.items()
        if k in links and links[k] != customer and links[k] in {p.customer_id for p in world.people}
    ]
    assert wrong == []
    # Survey contacts the store knows by email join their customers too.
    survey = [k for k in truth if k[0] == "surveymonkey" and k in links]
    assert all(links[k] == truth[k] for k in survey)
    assert _summary_row(result.output, "odoo", "records read") == len(world.odoo_members)


def test_a_second_sync_is_incremental(store: str, simulators: dict[str, Any]) -> None:
    # given
    first = runner.invoke(app, ["sync", "--system", "hubspot"])
    assert first.exit_code == 0, first.output
    linked = _run(store, _links)

    # when
    second = runner.invoke(app, ["sync", "--system", "hubspot"])

    # then: only the changes at the checkpoint's instant are read again, and nothing moves
    assert second.exit_code == 0, second.output
    assert _summary_row(first.output, "hubspot", "records read") > 50
    assert _summary_row(second.output, "hubspot", "records read") <= 2
    assert _summary_row(second.output, "hubspot", "new customers") == 0
    assert _run(store, _links) == linked
    assert _run(store, lambda db: _count(db, SyncCheckpoint)) == 1


def test_a_source_that_fails_keeps_its_checkpoint_and_exits_non_zero(
    store: str, simulators: dict[str, Any]
) -> None:
    # given
    simulators["odoo"].state.faults.set(FaultSettings(error_rate=1.0))

    # when
    result = runner.invoke(app, ["sync", "--system", "odoo"])

    # then
    assert result.exit_code == 1
    assert "error:" in result.output and "odoo" in result.output
    assert "Traceback" not in result.output
    assert _run(store, lambda db: _count(db, SyncCheckpoint)) == 0


def test_an_unknown_system_is_refused(store: str, simulators: dict[str, Any]) -> None:
    result = runner.invoke(app, ["sync", "--system", "sap"])

    assert result.exit_code == 2
    assert "unknown system 'sap'" in result.output


def test_without_a_connectors_file_sync_says_so(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)

    result = runner.invoke(app, ["sync"])

    assert result.exit_code == 2
    assert "C360_CONNECTORS_FILE is not set" in " ".join(result.output.split())


def test_a_broken_connectors_file_is_a_clear_error(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "connectors.toml"
    broken.write_text("[odoo\nbase_url = ")
    monkeypatch.setenv("C360_CONNECTORS_FILE", str(broken))

    result = runner.invoke(app, ["sync"])

    assert result.exit_code == 2
    assert "not valid TOML" in " ".join(result.output.split())


def test_candidates_made_by_sync_name_live_customers(
    store: str, simulators: dict[str, Any]
) -> None:
    assert runner.invoke(app, ["sync", "--no-metrics"]).exit_code == 0

    pairs = _run(store, _pairs)

    assert all(left != right for left, right in pairs)


async def _pairs(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        return [(c.left_id, c.right_id) for c in await session.scalars(select(MatchCandidate))]


def test_sync_recomputes_the_metrics_of_the_customers_it_linked(
    store: str, simulators: dict[str, Any]
) -> None:
    # when
    result = runner.invoke(app, ["sync"])

    # then: every customer the sync linked has metrics from its sources (orders, answers)
    assert result.exit_code == 0, result.output
    recomputed = _run(store, _recomputed)
    links = _run(store, _links)
    linked = {customer for (system, _), customer in links.items() if system in SOURCE_SYSTEMS}
    assert set(recomputed) == linked
    odoo = {customer for (system, _), customer in links.items() if system == "odoo"}
    assert all("order_count" in recomputed[customer] for customer in odoo)
    assert any(recomputed[customer]["order_count"] > 0 for customer in odoo)
    surveyed = {c for (system, _), c in links.items() if system == "surveymonkey"}
    assert any("nps" in recomputed[customer] for customer in surveyed)
    written = sum(len(metrics) for metrics in recomputed.values())
    assert _summary_row(result.output, "metrics of the changed", "customers computed") == len(
        linked
    )
    assert _summary_row(result.output, "metrics of the changed", "observations written") == (
        written
    )


def test_a_second_sync_without_changes_writes_no_metrics(
    store: str, simulators: dict[str, Any]
) -> None:
    # given
    first = runner.invoke(app, ["sync", "--system", "surveymonkey"])
    assert _summary_row(first.output, "metrics of the changed", "observations written") > 0
    before = _run(store, lambda db: _count(db, MetricObservation))

    # when
    second = runner.invoke(app, ["sync", "--system", "surveymonkey"])

    # then: the changes read again at the checkpoints are recomputed, and nothing moved
    assert second.exit_code == 0, second.output
    assert 0 < _summary_row(second.output, "metrics of the changed", "customers computed") <= 2
    assert _summary_row(second.output, "metrics of the changed", "observations written") == 0
    assert _run(store, lambda db: _count(db, MetricObservation)) == before


def test_sync_with_no_metrics_writes_none(store: str, simulators: dict[str, Any]) -> None:
    result = runner.invoke(app, ["sync", "--no-metrics"])

    assert result.exit_code == 0, result.output
    assert _summary_row(result.output, "odoo", "linked to existing customers") > 0
    assert "metrics not recomputed (--no-metrics)" in result.output
    assert _run(store, _recomputed) == {}


def test_import_recomputes_the_linked_customers_metrics_from_the_sources(
    store: str, simulators: dict[str, Any], world: World, tmp_path: Path
) -> None:
    # given: a few of the ERP's customers as a file
    crosswalk = [link for link in world.links if link.system == "odoo"][:4]
    lines = ["id,given_name,family_name,email"]
    for link in crosswalk:
        person = world.person_by_customer_id(link.customer_id)
        assert person is not None
        lines.append(
            f"{link.external_id},{person.given_name},{person.family_name},{person.emails[0]}"
        )
    path = tmp_path / "erp.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # when
    result = runner.invoke(app, ["import", str(path), "--source", "odoo", "--id-column", "id"])

    # then: the customers they joined have metrics from their ERP orders
    assert result.exit_code == 0, result.output
    recomputed = _run(store, _recomputed)
    assert set(recomputed) == {link.customer_id for link in crosswalk}
    assert all("order_count" in metrics for metrics in recomputed.values())
    assert any(metrics["order_count"] > 0 for metrics in recomputed.values())
