"""What `c360 seed` costs: writing the demo world, then computing its metrics in-process.

    python -m bench.demo_seed [--customers 1000]

Seeds a fresh SQLite store with the demo world, then runs `compute_seeded_metrics` (the
recompute fed by the three simulators over in-memory transports, as `c360 seed` and `c360 demo`
do). Prints wall and CPU seconds per phase; CPU is the better measure on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from app.logs import configure_logging
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from simulators.demo_metrics import compute_seeded_metrics
from simulators.seeding import seed

SEED = 360


async def _run(url: str, customers: int) -> list[tuple[str, float, float, str]]:
    db = Database(url)
    rows: list[tuple[str, float, float, str]] = []
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        seeded = await seed(db, customers=customers, seed_value=SEED)
        rows.append(
            (
                "seed (people, consents, interactions)",
                time.perf_counter() - wall,
                time.process_time() - cpu,
                f"{seeded.rows:,} rows",
            )
        )
        wall, cpu = time.perf_counter(), time.process_time()
        summary = await compute_seeded_metrics(
            db, Settings(database_url=url), customers=customers, seed_value=SEED
        )
        rows.append(
            (
                "metrics from the simulators",
                time.perf_counter() - wall,
                time.process_time() - cpu,
                f"{summary.customers:,} computed, {summary.skipped} skipped, "
                f"{summary.written:,} observations",
            )
        )
    finally:
        await db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()
    configure_logging("WARNING", json=True)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'seed.db'}"
        upgrade(url)
        rows = asyncio.run(_run(url, args.customers))
    print(f"\n`c360 seed --customers {args.customers}` (SQLite)\n")
    print("| phase | wall s | CPU s | CPU ms / customer | result |")
    print("|---|---:|---:|---:|---|")
    for phase, wall, cpu, result in rows:
        per = 1000 * cpu / args.customers
        print(f"| {phase} | {wall:.1f} | {cpu:.1f} | {per:.1f} | {result} |")


if __name__ == "__main__":
    main()
