"""`c360 operations register FILE.graphql`: store each operation's hash for persisted mode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.errors import InvalidInputError
from app.settings import Settings

operations_app = typer.Typer(help="Persisted operations.", no_args_is_help=True)
messages = Console(stderr=True)


@operations_app.command("register")
def register_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A .graphql file of operations.")
    ],
) -> None:
    """Register each operation of FILE; prints `<sha256> <name>` per operation, then the hash
    of the form Apollo Client sends (`__typename` added) when it differs."""
    from app.operations.persisted import register
    from app.store.db import run_with_database

    try:
        operations, new = run_with_database(
            Settings().database_url, lambda db: register(db, file.read_text())
        )
    except InvalidInputError as error:
        messages.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    for operation in operations:
        typer.echo(f"{operation.sha256} {operation.name or '-'}")
        if operation.apollo_sha256 != operation.sha256:
            typer.echo(f"{operation.apollo_sha256} {operation.name or '-'} (with __typename)")
    messages.print(
        f"[green]{len(new)} new, {len(operations) - len(new)} already registered[/green]"
    )
