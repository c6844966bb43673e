"""Import throughput: `c360 import` of generated people into an empty store, and its accuracy.

    .venv/bin/python -m bench.import_throughput [--records 10000 100000] [--backend sqlite]

For each size: writes a labelled CSV (`bench.matching.generate`, moderate errors), migrates an
empty store, runs the real `c360 import` command in-process, and reports records/s, the
outcomes, and pairwise precision/recall of the customers it built against the hidden entity.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from typer.testing import CliRunner

from app.logs import configure_logging
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import SourceLink
from bench.matching.generate import ERROR_RATES, people, records, write_csv
from composition.cli import app

OUT = Path("bench/out/import")
RECORDS_PER_PERSON = 1.75


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {
        (a, b) if a < b else (b, a)
        for members in groups.values()
        for a, b in itertools.combinations(members, 2)
    }


async def _customers_of(url: str) -> dict[str, str]:
    db = Database(url, pool_size=1)
    try:
        async with db.session() as session:
            rows = await session.execute(
                select(SourceLink.external_id, SourceLink.customer_id).where(
                    SourceLink.system == "bench"
                )
            )
            return {str(row[0]): str(row[1]) for row in rows}
    finally:
        await db.dispose()


def _run(size: int, url: str) -> list[str]:
    persons = people(int(size / RECORDS_PER_PERSON), seed=21)
    path = OUT / f"import_{size}.csv"
    count = write_csv(records(persons, ERROR_RATES["moderate"], seed=22), path)
    truth: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        id_at, entity_at = header.index("record_id"), header.index("true_entity")
        for line in handle:
            cells = line.rstrip("\n").split(",")
            truth[cells[entity_at]].append(cells[id_at])
    upgrade(url)
    os.environ["C360_DATABASE_URL"] = url
    started = time.perf_counter()
    result = CliRunner().invoke(
        app, ["import", str(path), "--source", "bench", "--id-column", "record_id"]
    )
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    found: dict[str, list[str]] = defaultdict(list)
    for record_id, customer_id in asyncio.run(_customers_of(url)).items():
        found[customer_id].append(record_id)
    true_pairs, found_pairs = _pairs(truth), _pairs(found)
    hits = len(true_pairs & found_pairs)
    precision = hits / len(found_pairs) if found_pairs else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in result.output.splitlines()
        if line.count("│") >= 3
    }
    return [
        f"{count:,}",
        f"{seconds:.1f}",
        f"{count / seconds:,.0f}",
        rows.get("linked to existing customers", "?"),
        rows.get("new customers", "?"),
        rows.get("new customers with a candidate", "?"),
        f"{precision:.4f}",
        f"{recall:.4f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres-url", help="also run on this empty PostgreSQL database")
    args = parser.parse_args()
    # Before the command runs: it would otherwise bind logging to the runner's captured stream.
    configure_logging("WARNING")
    OUT.mkdir(parents=True, exist_ok=True)
    table = Table(title="c360 import (moderate errors, default thresholds)")
    for column in (
        "backend",
        "records",
        "seconds",
        "records/s",
        "linked",
        "new",
        "candidates",
        "pair precision",
        "pair recall",
    ):
        table.add_column(column)
    for size in args.records:
        store = OUT / f"import_{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        table.add_row("sqlite", *_run(size, f"sqlite+aiosqlite:///{store}"))
        if args.postgres_url:
            table.add_row("postgres", *_run(size, args.postgres_url))
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
