"""The `c360` command line: serve, migrate, import, sync, dedupe, schema, and the command groups
of each feature; the demo's `seed`, `sim` and `demo` are added by the simulators package."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console

from app.identity.dedupe_command import dedupe
from app.identity.ingest_commands import import_file, sync
from app.operations.cli import operations_app
from app.privacy.keys_cli import keys_app
from app.search.cli import search_app
from app.settings import Settings, describe_invalid_settings

app = typer.Typer(help="Customer 360 Gateway.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Master store schema.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(keys_app, name="keys")
app.add_typer(operations_app, name="operations")
app.add_typer(search_app, name="search")
app.command("dedupe")(dedupe)
app.command("import")(import_file)
app.command("sync")(sync)
console = Console(stderr=True)
# Exit status of a command refused for its configuration (as for a usage error).
CONFIGURATION_ERROR_EXIT = 2


@app.callback()
def check_settings() -> None:
    """Refuse to run on an invalid configuration: one line naming the setting, exit code 2."""
    try:
        Settings()
    except ValidationError as error:
        typer.echo(describe_invalid_settings(error), err=True)
        raise typer.Exit(CONFIGURATION_ERROR_EXIT) from None


# With --workers N, uvicorn kills a worker that does not answer its health check in time (5 s
# by default), and a spawned worker only answers once it has imported the app: ~3 s of CPU, over
# 30 s of wall time on a host at a load average of 20, where workers were killed and respawned
# forever. A hung worker is found out this much later.
WORKER_START_SECONDS = 60


@app.command()
def serve(
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    host: Annotated[str | None, typer.Option(help="Bind address (C360_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (C360_PORT).")] = None,
) -> None:
    """Serve the gateway (GraphQL at /graphql, /healthz, /readyz, /metrics)."""
    from composition.subscriptions import WS_PER_MESSAGE_DEFLATE

    settings = Settings()
    uvicorn.run(
        "composition.asgi:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        ws_per_message_deflate=WS_PER_MESSAGE_DEFLATE,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations to the database named by C360_DATABASE_URL."""
    from app.store.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url, revision)
    console.print(f"[green]database at revision {revision}[/green]")


@schema_app.command("export")
def schema_export(
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    plain: Annotated[
        bool, typer.Option(help="Declare the federation directives, for plain GraphQL tools.")
    ] = False,
) -> None:
    """Print (or write) the GraphQL SDL of the schema (the federation subgraph SDL)."""
    from schema.sdl import plain_sdl, schema_sdl

    sdl = plain_sdl() if plain else schema_sdl()
    if output is None:
        typer.echo(sdl, nl=False)
    else:
        output.write_text(sdl)
        console.print(f"[green]wrote {output}[/green]")


def _add_feature_commands() -> None:
    """The command groups of each feature, imported here so each stays in its own module."""
    from app.business.cli import spend_app
    from app.events.webhooks_cli import webhooks_app
    from app.metrics.cli import metrics_app
    from app.privacy.dsar_cli import dsar_app

    app.add_typer(dsar_app, name="dsar")
    app.add_typer(metrics_app, name="metrics")
    app.add_typer(spend_app, name="spend")
    app.add_typer(webhooks_app, name="webhooks")


def _add_installed_commands() -> None:
    """Commands other installed packages add through the `c360.commands` entry point group
    (the demo's `seed`, `sim` and `demo` come from `simulators.cli` this way)."""
    for entry_point in entry_points(group="c360.commands"):
        entry_point.load()(app)


_add_feature_commands()
_add_installed_commands()
