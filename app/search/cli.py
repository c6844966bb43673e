"""`c360 search reindex`: rebuild the search index of the store named by C360_DATABASE_URL."""

from __future__ import annotations

import typer
from rich.console import Console

from app.settings import Settings

search_app = typer.Typer(help="Free-text customer search.", no_args_is_help=True)
console = Console(stderr=True)


@search_app.command("reindex")
def reindex() -> None:
    """Recompute every customer's search keys (writes keep them fresh after that)."""
    from app.search.index import rebuild_search_index
    from app.store.db import run_with_database

    settings = Settings()
    visited = run_with_database(settings.database_url, rebuild_search_index)
    console.print(f"[green]search index rebuilt for {visited} customers[/green]")
