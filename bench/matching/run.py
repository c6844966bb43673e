"""Matching benchmark: accuracy per error rate, a precision/recall curve, and speed.

Generates labelled data (`bench.matching.generate`), runs the real `dedupe` command (and
`dedupe --link`) at the default thresholds, scores the written pairs against the hidden
`true_entity` column, prints the tables and writes them to `bench/matching/RESULTS.md`.

    .venv/bin/python -m bench.matching.run            # ~10k records per error rate, and 100k
    .venv/bin/python -m bench.matching.run --quick    # smaller, for a smoke run
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from app.identity.decision import Thresholds
from app.identity.dedupe_command import dedupe
from bench.matching.generate import ERROR_RATES, link_records, people, records, write_csv

OUT = Path("bench/out/matching")
RESULTS = Path("bench/matching/RESULTS.md")
CURVE_THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
# People per scenario; ~1.75 records a person, so these give ~10k and ~100k records.
PEOPLE_10K = 5_700
PEOPLE_100K = 57_000


@dataclass(frozen=True)
class Run:
    """One command run: what was found, the truth, and the time it took."""

    name: str
    records: int
    found: dict[frozenset[str], float]
    truth: set[frozenset[str]]
    seconds: float

    def quality(self, threshold: float) -> tuple[float, float, float]:
        """Pairwise precision, recall and F1 of the pairs scored at or above `threshold`."""
        predicted = {pair for pair, score in self.found.items() if score >= threshold}
        hits = len(predicted & self.truth)
        precision = hits / len(predicted) if predicted else 1.0
        recall = hits / len(self.truth) if self.truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def _command() -> typer.Typer:
    app = typer.Typer()
    app.command()(dedupe)
    return app


def _entities(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["record_id"]: row["true_entity"] for row in csv.DictReader(handle)}


def _run(name: str, file: Path, link: Path | None = None) -> Run:
    output = OUT / f"{name}_pairs.csv"
    args = [str(file), "--id-column", "record_id", "--output", str(output)]
    if link:
        args += ["--link", str(link)]
    started = time.perf_counter()
    result = CliRunner().invoke(_command(), args)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"dedupe failed for {name}: {result.output}")
    left = _entities(file)
    right = _entities(link) if link else left
    by_entity: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for record, entity in left.items():
        by_entity[entity][0].append(record)
    if link:
        for record, entity in right.items():
            by_entity[entity][1].append(record)
    truth: set[frozenset[str]] = set()
    for lefts, rights in by_entity.values():
        pairs = itertools.product(lefts, rights) if link else itertools.combinations(lefts, 2)
        truth.update(frozenset(pair) for pair in pairs)
    with output.open(encoding="utf-8") as handle:
        found = {
            frozenset((row["left_id"], row["right_id"])): float(row["score"])
            for row in csv.DictReader(handle)
        }
    return Run(name, len(left) + (len(right) if link else 0), found, truth, seconds)


def _dataset(rate: str, persons_count: int, seed: int) -> tuple[Path, Path, Path]:
    persons = people(persons_count, seed=seed)
    dedupe_path = OUT / f"dedupe_{rate}_{persons_count}.csv"
    write_csv(records(persons, ERROR_RATES[rate], seed=seed + 1), dedupe_path)
    left, right = link_records(persons, ERROR_RATES[rate], seed=seed + 2)
    left_path, right_path = OUT / f"link_{rate}_left.csv", OUT / f"link_{rate}_right.csv"
    write_csv(left, left_path)
    write_csv(right, right_path)
    return dedupe_path, left_path, right_path


def _markdown(table: Table) -> str:
    headers = [str(column.header) for column in table.columns]
    cells = [[str(cell) for cell in column._cells] for column in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*cells, strict=True)]
    return "\n".join([f"**{table.title}**", "", *lines])


def main() -> None:
    """Run every scenario, print the tables and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/5 of the sizes, no 100k run")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    scale = 5 if args.quick else 1
    defaults = Thresholds()
    console = Console()

    accuracy = Table(title=f"Accuracy at the default thresholds (auto-link {defaults.auto_link})")
    for header in ("scenario", "error rate", "records", "true pairs", "precision", "recall", "F1"):
        accuracy.add_column(header)
    curve = Table(title="Precision / recall over the score threshold (moderate error rate)")
    curve.add_column("threshold")
    speed = Table(title="Speed of `c360 dedupe` (whole command: read, match, write)")
    for header in ("records", "seconds", "records/s", "pairs written"):
        speed.add_column(header)

    runs: dict[str, Run] = {}
    for seed, rate in enumerate(ERROR_RATES, start=1):
        dedupe_path, left_path, right_path = _dataset(rate, PEOPLE_10K // scale, seed * 100)
        for scenario, run in (
            ("dedupe", _run(f"dedupe_{rate}", dedupe_path)),
            ("link", _run(f"link_{rate}", left_path, right_path)),
        ):
            runs[f"{scenario}_{rate}"] = run
            precision, recall, f1 = run.quality(defaults.auto_link)
            accuracy.add_row(
                scenario,
                f"{rate} ({ERROR_RATES[rate]:.0%})",
                f"{run.records:,}",
                f"{len(run.truth):,}",
                f"{precision:.4f}",
                f"{recall:.4f}",
                f"{f1:.4f}",
            )
    for scenario in ("dedupe", "link"):
        curve.add_column(f"{scenario} P / R / F1")
    for threshold in CURVE_THRESHOLDS:
        cells = []
        for scenario in ("dedupe", "link"):
            precision, recall, f1 = runs[f"{scenario}_moderate"].quality(threshold)
            cells.append(f"{precision:.4f} / {recall:.4f} / {f1:.4f}")
        curve.add_row(f"{threshold}", *cells)

    sizes = [PEOPLE_10K // scale] + ([] if args.quick else [PEOPLE_100K])
    for persons_count in sizes:
        path, _, _ = _dataset("moderate", persons_count, 900)
        run = _run(f"speed_{persons_count}", path)
        compared = sum(1 for _ in open(OUT / f"speed_{persons_count}_pairs.csv", encoding="utf-8"))
        speed.add_row(
            f"{run.records:,}",
            f"{run.seconds:.1f}",
            f"{run.records / run.seconds:,.0f}",
            f"{compared - 1:,}",
        )

    for table in (accuracy, curve, speed):
        console.print(table)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    RESULTS.write_text(
        "# Matching benchmark\n\n"
        f"`python -m bench.matching.run{' --quick' if args.quick else ''}` on {machine}, "
        f"Python {platform.python_version()}. Data from `bench/matching/generate.py` "
        "(Faker people in GB, US, FR, DE, ES, 8% sharing a household; 0-3 duplicates each; "
        "each kind of error hits a duplicate with the scenario's rate). Pairwise precision "
        "and recall against every true pair, including those blocking never proposed.\n\n"
        + "\n\n".join(_markdown(t) for t in (accuracy, curve, speed))
        + "\n",
        encoding="utf-8",
    )
    console.print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
