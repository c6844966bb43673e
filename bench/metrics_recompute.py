"""Issue 6 benchmark: `metrics recompute` (recompute_all) over a seeded store and its sources.

    python -m bench.metrics_recompute [--customers 100000] [--sources memory|simulators]
        [--batch-size 500] [--runs cold warm rerun]

`--sources memory` (the default) answers every source call from in-memory stand-ins
(bench/recompute_sources.py) over a store filled directly (customers, three links each, a few
local interactions): it measures the job itself at 100,000 customers; its runs are `cold`
(everything written) and `rerun`. `--sources simulators` seeds the demo world and runs the
three HTTP simulators in-process:

The store is seeded (bench/out/recompute_<N>.db, reused) with the same world the three
simulators serve, in-process over ASGI (no network, no added latency). Three runs:

- cold (must come first): empty source cache: every input is fetched from the simulators;
- warm: the same job again with every source answer cached and the recompute rows deleted,
  so it computes and writes everything again (the cost of the job itself);
- rerun: warm and nothing changed: reads and computes, writes nothing (idempotence).

Time is split into source fetching (CustomerGraph.gather), other store reads, writes, and the
rest (mapping and the calculators).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import delete, insert

from app.cache import MemoryCacheBackend, SourceCache
from app.graph import CustomerGraph, open_customer_graph
from app.logs import configure_logging
from app.metrics import recompute as job
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import (
    Customer,
    Interaction,
    MetricCurrent,
    MetricObservation,
    MetricPopulation,
    SourceLink,
)
from bench.recompute_sources import fake_connectors
from connectors.config_toml import dump_connectors_config
from connectors.registry import ConnectorsConfig
from simulators import create_simulator_app
from simulators.config import demo_config, demo_environment
from simulators.seeding import seed
from simulators.world import build_world

OUT = Path(__file__).resolve().parent / "out"
SEED = 360


def _config() -> ConnectorsConfig:
    tables = {}
    for system, settings in demo_config().connectors.items():
        data = settings.model_dump(mode="json")
        data.update(
            timeouts={"connect": 5.0, "read": 120.0, "budget": 600.0},
            circuit={"failure_threshold": 1000, "cooldown": 1.0},
            cache={"ttl": 86_400.0, "stale_if_error": 86_400.0},
        )
        tables[system] = data
    return ConnectorsConfig.model_validate({"connectors": tables})


class Phases:
    """Wall time per phase, measured by wrapping the job's collaborators."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, phase: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - began

        return timed


async def _clear(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(
            delete(MetricObservation).where(MetricObservation.source == "recompute")
        )
        await session.execute(delete(MetricPopulation))
        # Forget current values too, so the run compares against nothing and writes everything.
        await session.execute(delete(MetricCurrent))


async def _run(url: str, customers: int, batch_size: int, runs: list[str], tmp: Path) -> list[Any]:
    world = build_world(customers, SEED)
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    for system in ("odoo", "hubspot", "surveymonkey"):
        transports[system] = httpx.ASGITransport(app=create_simulator_app(system, world))
    connectors_file = tmp / "bench-connectors.toml"
    connectors_file.write_text(dump_connectors_config(_config()))
    settings = Settings(
        database_url=url,
        connectors_file=connectors_file,
        cache_max_entries=50_000_000,
        log_json=False,
    )
    db = Database(url, pool_size=2)
    rows: list[Any] = []
    try:
        async with open_customer_graph(
            settings, transports=transports, environ=demo_environment()
        ) as graph:
            for run in runs:
                if run in ("cold", "warm"):
                    await _clear(db)
                rows.append((run, *await _timed_run(db, graph, batch_size)))
    finally:
        await db.dispose()
    return rows


async def _timed_run(db: Database, graph: CustomerGraph, batch_size: int) -> tuple[Any, ...]:
    phases = Phases()
    real_gather, real_insert = graph.gather, job.repo.insert_observations
    real_load = job._load_batch
    graph.gather = phases.wrap("fetch", real_gather)  # type: ignore[method-assign]
    job.repo.insert_observations = phases.wrap("write", real_insert)  # type: ignore[assignment]
    job._load_batch = phases.wrap("load", real_load)  # type: ignore[assignment]
    try:
        began, cpu_began = time.perf_counter(), time.process_time()
        summary = await job.recompute_all(db, graph, batch_size=batch_size)
        total = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
    finally:
        graph.gather = real_gather  # type: ignore[method-assign]
        job.repo.insert_observations = real_insert  # type: ignore[assignment]
        job._load_batch = real_load  # type: ignore[assignment]
    fetch = phases.seconds["fetch"]
    reads = phases.seconds["load"] - fetch
    write = phases.seconds["write"]
    return summary, total, cpu, fetch, reads, write, total - fetch - reads - write


async def _populate_memory_store(db: Database, customers: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    async with db.transaction() as session:
        for start in range(0, customers, 5000):
            ids = [f"c{n:09d}" for n in range(start, min(customers, start + 5000))]
            await session.execute(
                insert(Customer),
                [{"id": i, "lifecycle_stage": "active", "created_at": now, "updated_at": now}
                 for i in ids],
            )  # fmt: skip
            await session.execute(
                insert(SourceLink),
                [{"customer_id": i, "system": system, "external_id": i, "method": "manual",
                  "linked_at": now} for i in ids for system in ("odoo", "hubspot", "surveymonkey")],
            )  # fmt: skip
            await session.execute(
                insert(Interaction),
                [{"customer_id": i, "channel": "phone", "kind": "note", "summary": "Called",
                  "occurred_at": now - timedelta(days=n * 40), "source": "gateway"}
                 for i in ids for n in range(3)],
            )  # fmt: skip


async def _run_memory(url: str, batch_size: int, runs: list[str]) -> list[Any]:
    config = _config()
    cache = SourceCache(MemoryCacheBackend(50_000_000))
    graph = CustomerGraph(fake_connectors(), config.enabled(), cache)  # type: ignore[arg-type]
    db = Database(url, pool_size=2)
    rows: list[Any] = []
    try:
        for run in runs:
            if run == "cold":
                await _clear(db)
            rows.append((run, *await _timed_run(db, graph, batch_size)))
    finally:
        await db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--runs", nargs="+", default=None)
    parser.add_argument("--sources", choices=["memory", "simulators"], default="memory")
    args = parser.parse_args()
    configure_logging("WARNING", json=True)
    OUT.mkdir(exist_ok=True)
    if args.sources == "memory":
        path = OUT / f"recompute_memory_{args.customers}.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not path.exists():
            upgrade(url)

            async def fill() -> None:
                db = Database(url)
                try:
                    await _populate_memory_store(db, args.customers)
                finally:
                    await db.dispose()

            asyncio.run(fill())
        runs = args.runs or ["cold", "rerun"]
        results = asyncio.run(_run_memory(url, args.batch_size, runs))
        _print(results, args.customers, args.batch_size, "in-memory sources")
        return
    path = OUT / f"recompute_{args.customers}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if not path.exists():
        upgrade(url)

        async def populate() -> None:
            db = Database(url)
            try:
                await seed(db, customers=args.customers, seed_value=SEED)
            finally:
                await db.dispose()

        began = time.perf_counter()
        asyncio.run(populate())
        print(f"seeded {args.customers:,} customers in {time.perf_counter() - began:.1f} s")
    runs = args.runs or ["cold", "warm", "rerun"]
    results = asyncio.run(_run(url, args.customers, args.batch_size, runs, OUT))
    _print(results, args.customers, args.batch_size, "simulators in-process")


def _print(results: list[Any], customers: int, batch_size: int, sources: str) -> None:
    table = Table(
        title=f"metrics recompute, {customers:,} customers, batches of {batch_size} "
        f"(SQLite, {sources})"
    )
    for column in (
        "run", "customers", "skipped", "rows written", "wall s", "customers/s", "CPU s",
        "customers/CPU s",
        "fetch s", "store reads s", "writes s", "compute+map s",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    for run, summary, total, cpu, fetch, reads, write, rest in results:
        table.add_row(
            run,
            f"{summary.customers:,}",
            f"{summary.skipped:,}",
            f"{summary.written:,}",
            f"{total:.1f}",
            f"{summary.customers / total:,.0f}",
            f"{cpu:.1f}",
            f"{summary.customers / cpu:,.0f}",
            f"{fetch:.1f}",
            f"{reads:.1f}",
            f"{write:.1f}",
            f"{rest:.1f}",
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
