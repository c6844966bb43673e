"""`c360 metrics recompute`: every customer's metrics from their sources, in batches."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from app.metrics import names
from app.metrics.recompute import (
    DEFAULT_BATCH_SIZE,
    RecomputeSummary,
    params_from_settings,
    recompute_all,
)
from app.settings import Settings

metrics_app = typer.Typer(help="Customer metrics: recompute.", no_args_is_help=True)
messages = Console(stderr=True)


def recompute_table(title: str, summary: RecomputeSummary) -> Table:
    """Customers computed and skipped, observations written and unchanged, written per metric."""
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("customers computed", f"{summary.customers:,}")
    table.add_row("customers skipped (source unavailable)", f"{summary.skipped:,}")
    table.add_row("observations written", f"{summary.written:,}")
    table.add_row("values unchanged (not written)", f"{summary.unchanged:,}")
    for name, count in sorted(summary.by_metric.items()):
        table.add_row(f"  {name}", f"{count:,}")
    return table


@metrics_app.command("recompute")
def recompute(
    metric: Annotated[
        list[str] | None, typer.Option(help="Only this metric (repeatable); default: all.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=5000, help="Customers per batch.")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Recompute every customer's metrics and store the values that changed."""
    from app.graph import open_customer_graph
    from app.store.db import Database

    wanted = [name.strip().lower() for name in metric] if metric else None
    unknown = sorted(set(wanted or ()) - set(names.CUSTOMER_METRICS))
    if unknown:
        messages.print(f"[red]unknown metric: {', '.join(unknown)}[/red]")
        raise typer.Exit(2)
    settings = Settings()
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=messages,
    )
    task = progress.add_task("recomputing customers", total=None)

    async def run() -> RecomputeSummary:
        db = Database(settings.database_url, pool_size=settings.database_pool_size)
        try:
            async with open_customer_graph(settings) as graph:
                return await recompute_all(
                    db,
                    graph,
                    params=params_from_settings(settings),
                    metrics=wanted,
                    batch_size=batch_size,
                    on_start=lambda total: progress.update(task, total=total),
                    on_progress=lambda n: progress.advance(task, n),
                )
        finally:
            await db.dispose()

    with progress:
        summary = asyncio.run(run())
    Console().print(recompute_table("metrics recompute", summary))
    if summary.skipped:
        raise typer.Exit(1)
