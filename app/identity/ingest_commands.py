"""`c360 import` and `c360 sync`: link a CSV file, or the sources' changes, into the store, then
recompute the changed customers' metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import structlog
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from app.business.acquisition import RULE_IMPORT, store_by_source_id
from app.business.acquisition_csv import read_acquisitions_csv, split_field_map
from app.customers.change_actor import acting_as
from app.errors import InvalidInputError
from app.graph import CustomerGraph
from app.identity.csv_change_times import read_change_times
from app.identity.csv_options import CsvFile, FieldMapOption
from app.identity.ingest import Ingestor, IngestSummary, Outcome
from app.identity.record_csv import parse_field_map, read_records_csv
from app.identity.sync import (
    BATCH_SIZE,
    SystemSync,
    incoming_from_csv,
    open_sources,
    sync_sources,
)
from app.logs import configure_logging
from app.metrics.cli import recompute_table
from app.metrics.recompute import RecomputeSummary, refresh_customers
from app.settings import Settings
from app.store.db import Database
from connectors.config import ConnectorConfigError

T = TypeVar("T")
NoMetricsOption = Annotated[
    bool,
    typer.Option(
        "--no-metrics",
        help="Do not recompute the changed customers' metrics (run `c360 metrics recompute` "
        "after a large back-fill instead).",
    ),
]


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def summary_table(title: str, summary: IngestSummary, seconds: float) -> Table:
    """Records read, linked, updated, new, candidates and skipped (with reasons), and time."""
    table = Table(title=title, show_header=False)
    table.add_row("records read", f"{summary.read:,}")
    table.add_row("linked to existing customers", f"{summary.count(Outcome.LINKED):,}")
    table.add_row("already linked, refreshed", f"{summary.count(Outcome.UPDATED):,}")
    table.add_row("new customers", f"{summary.count(Outcome.NEW):,}")
    table.add_row("new customers with a candidate", f"{summary.count(Outcome.CANDIDATE):,}")
    skipped = ", ".join(f"{n:,} {reason}" for reason, n in summary.skip_reasons.most_common())
    table.add_row(
        "skipped", f"{summary.count(Outcome.SKIPPED):,}" + (f" ({skipped})" if skipped else "")
    )
    table.add_row("seconds", f"{seconds:.2f}")
    return table


async def _recompute(
    db: Database, graph: CustomerGraph, settings: Settings, changed: set[str], progress: Progress
) -> RecomputeSummary | None:
    """Drop the changed customers' cached source data and recompute their metrics."""
    progress.add_task(f"recomputing {len(changed):,} customers' metrics", total=None)
    return await refresh_customers(db, graph, settings, sorted(changed))


def _report_metrics(
    console: Console, errors: Console, wanted: bool, summary: RecomputeSummary | None
) -> bool:
    """Print what the recompute did; False when it failed."""
    if not wanted:
        console.print("metrics not recomputed (--no-metrics): run `c360 metrics recompute`")
    elif summary is None:
        errors.print(
            "[bold red]error:[/] recomputing the changed customers' metrics failed (see the log); "
            "run `c360 metrics recompute`",
            highlight=False,
        )
        return False
    else:
        console.print(recompute_table("metrics of the changed customers", summary))
    return True


def _run(errors: Console, work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except SQLAlchemyError:
        raise _fail(
            errors,
            "the database cannot be used (is C360_DATABASE_URL right, and did `c360 db upgrade` "
            "run?)",
        ) from None


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def import_file(
    file: CsvFile,
    source: Annotated[
        str, typer.Option("--source", help="Name of the system the file comes from.")
    ],
    id_column: Annotated[
        str, typer.Option("--id-column", help="The column that identifies a record in SOURCE.")
    ],
    field_map: FieldMapOption = None,
    no_metrics: NoMetricsOption = False,
    changed_column: Annotated[
        str | None,
        typer.Option(
            "--changed-column",
            help="Column holding when the source last changed each record (ISO 8601): the "
            "change history is dated by it.",
        ),
    ] = None,
) -> None:
    """Link a legacy list into the master store: join, review or create each person, then
    recompute the metrics of the customers it changed."""
    console, errors = Console(), Console(stderr=True)
    settings = Settings()
    if not structlog.is_configured():
        configure_logging(settings.log_level, json=settings.log_json)
    name = source.strip().lower()
    if not name or len(name) > 64 or not name.replace("_", "").replace("-", "").isalnum():
        raise _fail(errors, "--source must be 1 to 64 letters, digits, '-' or '_'")
    try:
        person_map, acquisition_map = split_field_map(field_map or [])
        mapping = parse_field_map(person_map)
        records = read_records_csv(file, id_column=id_column, field_map=mapping, source=name)
        acquisitions = read_acquisitions_csv(
            file, id_column=id_column, field_map=acquisition_map, system=name
        )
        changed_at = (
            read_change_times(file, id_column=id_column, column=changed_column)
            if changed_column
            else None
        )
    except InvalidInputError as exc:
        raise _fail(errors, exc.message) from None
    incoming = incoming_from_csv(records, source=name, changed_at=changed_at)
    graph: CustomerGraph | None = None
    if not no_metrics:
        try:
            graph = open_sources(settings, required=False)
        except ConnectorConfigError as exc:
            raise _fail(errors, str(exc)) from None
        if not graph.connectors:
            console.print(
                "no source systems configured (C360_CONNECTORS_FILE): metrics are recomputed "
                "from the store's data only"
            )
    started = time.perf_counter()

    async def run() -> tuple[IngestSummary, RecomputeSummary | None]:
        db = Database(settings.database_url, pool_size=1)
        try:
            ingestor = Ingestor.from_settings(db, settings)
            total = IngestSummary()
            with _progress(console) as progress:
                await ingestor.index_store()
                task = progress.add_task(f"importing {file.name}", total=len(incoming))
                for start in range(0, len(incoming), BATCH_SIZE):
                    part = incoming[start : start + BATCH_SIZE]
                    total.add(await ingestor.ingest(part))
                    progress.advance(task, len(part))
                acquired = await store_by_source_id(db, acquisitions, system=name, rule=RULE_IMPORT)
                if acquisitions:
                    console.print(f"acquisitions set: {acquired} of {len(acquisitions)} rows")
                if graph is None:
                    return total, None
                return total, await _recompute(db, graph, settings, total.changed, progress)
        finally:
            if graph is not None:
                await graph.aclose()
            await db.dispose()

    with acting_as("cli:import"):
        summary, metrics = _run(errors, run())
    console.print(
        summary_table(f"import {file.name} as {name}", summary, time.perf_counter() - started)
    )
    if not _report_metrics(console, errors, graph is not None, metrics):
        raise typer.Exit(code=1)


def sync(
    system: Annotated[
        list[str] | None, typer.Option("--system", help="Only this system (repeatable).")
    ] = None,
    no_metrics: NoMetricsOption = False,
) -> None:
    """Pull each source system's changes since its checkpoint and link them into the store,
    then recompute the metrics of the customers they changed."""
    console, errors = Console(), Console(stderr=True)
    settings = Settings()
    if not structlog.is_configured():
        configure_logging(settings.log_level, json=settings.log_json)
    try:
        graph = open_sources(settings)
    except (ValueError, ConnectorConfigError) as exc:
        raise _fail(errors, str(exc)) from None
    connectors = graph.connectors
    wanted = [s.strip().lower() for s in system or []]
    unknown = [s for s in wanted if s not in connectors]
    if unknown:
        asyncio.run(graph.aclose())
        raise _fail(
            errors,
            f"unknown system {unknown[0]!r}; configured: {', '.join(sorted(connectors)) or 'none'}",
        )

    async def run() -> tuple[list[SystemSync], RecomputeSummary | None]:
        db = Database(settings.database_url, pool_size=1)
        try:
            with _progress(console) as progress:
                tasks: dict[str, object] = {}

                def report(name: str, done: int) -> None:
                    if name not in tasks:
                        tasks[name] = progress.add_task(f"syncing {name}", total=None)
                    progress.advance(tasks[name], done)  # type: ignore[arg-type]

                results = await sync_sources(
                    db,
                    connectors,
                    Ingestor.from_settings(db, settings),
                    systems=wanted or None,
                    progress=report,
                )
                if no_metrics:
                    return results, None
                changed = {c for result in results for c in result.summary.changed}
                return results, await _recompute(db, graph, settings, changed, progress)
        finally:
            await graph.aclose()
            await db.dispose()

    with acting_as("cli:sync"):
        results, metrics = _run(errors, run())
    failed = False
    for result in results:
        title = f"sync {result.system} (changes since {result.since:%Y-%m-%d %H:%M:%S})"
        console.print(summary_table(title, result.summary, result.seconds))
        if result.error:
            failed = True
            errors.print(f"[bold red]error:[/] {result.system}: {result.error}", highlight=False)
    if not _report_metrics(console, errors, not no_metrics, metrics):
        failed = True
    if failed:
        raise typer.Exit(code=1)
