"""`c360 dedupe`: find duplicate people in a CSV file, or link the people of two files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import phonenumbers
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.errors import InvalidInputError
from app.identity.batch import BatchResult, deduplicate, link_sets
from app.identity.csv_options import CsvFile, FieldMapOption
from app.identity.decision import Decision, Thresholds
from app.identity.engine import MatchEngine
from app.identity.record_csv import parse_field_map, read_records_csv

_DEFAULTS = Thresholds()


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def _write_pairs(result: BatchResult, output: Path) -> None:
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("left_id", "right_id", "score"))
        writer.writerows((p.left_id, p.right_id, f"{p.score:.6f}") for p in result.pairs)


def _summary(result: BatchResult, output: Path) -> Table:
    table = Table(title="dedupe", show_header=False)
    table.add_row("records read", f"{result.records:,}")
    table.add_row("pairs compared", f"{result.compared:,}")
    table.add_row(
        "pairs found",
        f"{len(result.pairs):,} ({result.count(Decision.MATCH):,} match, "
        f"{result.count(Decision.REVIEW):,} review)",
    )
    table.add_row("clusters", f"{len(result.clusters):,}")
    table.add_row("seconds", f"{result.seconds:.2f}")
    table.add_row("written to", str(output))
    return table


def dedupe(
    file: CsvFile,
    id_column: Annotated[
        str, typer.Option("--id-column", help="The column that identifies a record.")
    ],
    output: Annotated[
        Path, typer.Option("--output", help="Where to write left_id,right_id,score.")
    ],
    field_map: FieldMapOption = None,
    link: Annotated[
        Path | None,
        typer.Option("--link", help="A second CSV file: find its matches in FILE instead."),
    ] = None,
    default_region: Annotated[
        str, typer.Option("--default-region", help="Region of phones without a country prefix.")
    ] = "GB",
    auto_link: Annotated[
        float, typer.Option("--auto-link", help="Score from which a pair is a match.")
    ] = _DEFAULTS.auto_link,
    review: Annotated[
        float, typer.Option("--review", help="Score from which a pair is written, for review.")
    ] = _DEFAULTS.review,
) -> None:
    """Score every likely pair of records and write those at or above the review threshold."""
    console = Console()
    errors = Console(stderr=True)
    if default_region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise _fail(errors, f"--default-region {default_region!r} is not a known region code")
    try:
        thresholds = Thresholds(auto_link=auto_link, review=review)
    except ValueError as exc:
        raise _fail(errors, str(exc)) from None
    try:
        mapping = parse_field_map(field_map or [])
        left = read_records_csv(file, id_column=id_column, field_map=mapping)
        right = read_records_csv(link, id_column=id_column, field_map=mapping) if link else None
    except InvalidInputError as exc:
        raise _fail(errors, exc.message) from None

    engine = MatchEngine(thresholds=thresholds, default_region=default_region.upper())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        if right is None:
            result = deduplicate(left, engine=engine, progress=report)
        else:
            result = link_sets(left, right, engine=engine, progress=report)
    try:
        _write_pairs(result, output)
    except OSError as exc:
        raise _fail(errors, f"{output}: cannot be written ({exc.strerror})") from None
    console.print(_summary(result, output))
