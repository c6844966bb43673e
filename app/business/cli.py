"""`c360 spend import FILE.csv`: acquisition spend from a file, all rows or none."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.business.spend import CSV_COLUMNS, SpendFileError, read_spend_file, record_spend
from app.metrics.recompute import params_from_settings
from app.settings import Settings

spend_app = typer.Typer(help="Acquisition spend: import a ledger file.", no_args_is_help=True)
messages = Console(stderr=True)


@spend_app.command("import")
def import_spend(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header row.")
    ],
) -> None:
    """Import acquisition spend from a CSV file (columns: period_start, period_end, channel,
    campaign, category, amount, currency). A bad row stops the import before anything is
    written, and every bad line is listed with its number."""
    from app.store.db import Database

    settings = Settings()
    params = params_from_settings(settings)
    try:
        spends = read_spend_file(path, params)
    except SpendFileError as error:
        for problem in error.problems:
            messages.print(f"[red]{problem}[/red]")
        messages.print(f"nothing imported (expected columns: {', '.join(CSV_COLUMNS)})")
        raise typer.Exit(1) from None

    async def run() -> float:
        db = Database(settings.database_url, pool_size=settings.database_pool_size)
        try:
            rows = await record_spend(db, spends, params, source="import")
        finally:
            await db.dispose()
        return sum(row.amount for row in rows)

    total = asyncio.run(run())
    typer.echo(f"imported {len(spends)} spend rows, {total:,.2f} {params.currency}")
