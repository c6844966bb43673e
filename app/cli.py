"""The `c360` command line: serve, migrate, seed, simulate sources, demo, dedupe, schema."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

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
    settings = Settings()
    uvicorn.run(
        "app.main:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations to the database named by C360_DATABASE_URL."""
    from app.store.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url, revision)
    console.print(f"[green]database at revision {revision}[/green]")


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def seed_store(settings: Settings, customers: int, seed_value: int) -> int:
    """Seed the configured store, then compute its metrics from the simulated sources (with
    progress bars); returns the rows written."""
    from app.demo_metrics import compute_seeded_metrics
    from app.seeding import seed
    from app.store.db import Database

    async def run(progress: Progress) -> int:
        task = progress.add_task("seeding customers", total=customers)
        metrics_task = progress.add_task("computing metrics", total=customers)
        db = Database(settings.database_url, pool_size=settings.database_pool_size)
        try:
            summary = await seed(
                db,
                customers=customers,
                seed_value=seed_value,
                on_progress=lambda n: progress.advance(task, n),
            )
            computed = await compute_seeded_metrics(
                db,
                settings,
                customers=customers,
                seed_value=seed_value,
                on_start=lambda total: progress.update(metrics_task, total=total),
                on_progress=lambda n: progress.advance(metrics_task, n),
            )
        finally:
            await db.dispose()
        return summary.rows + computed.written

    with _progress() as progress:
        rows = asyncio.run(run(progress))
    from app.store.migrate import refresh_statistics

    refresh_statistics(settings.database_url)
    return rows


def store_is_empty(settings: Settings) -> bool:
    """Whether the configured store holds no live customer."""
    from app.customers.listing import count_customers
    from app.store.db import run_with_database
    from app.store.repositories.customers import CustomerFilter

    count = run_with_database(
        settings.database_url, lambda db: count_customers(db, criteria=CustomerFilter())
    )
    return count == 0


@app.command("seed")
def seed_command(
    customers: Annotated[int, typer.Option(min=1, help="How many customers.")] = 5000,
    seed: Annotated[int | None, typer.Option(help="World seed (C360_SEED).")] = None,
) -> None:
    """Write a deterministic fake world of customers into an upgraded, empty store."""
    settings = Settings()
    if not store_is_empty(settings):
        console.print("[red]the store already has customers; seed an empty store[/red]")
        raise typer.Exit(1)
    rows = seed_store(settings, customers, seed if seed is not None else settings.seed)
    console.print(f"[green]seeded {customers} customers ({rows} rows)[/green]")


class SimulatedSystem(StrEnum):
    ODOO = "odoo"
    HUBSPOT = "hubspot"
    SURVEYMONKEY = "surveymonkey"


@app.command()
def sim(
    system: Annotated[SimulatedSystem, typer.Argument(help="Which vendor to simulate.")],
    port: Annotated[
        int | None, typer.Option(help="Port (default: C360_DEMO_<SYSTEM>_PORT).")
    ] = None,
    customers: Annotated[
        int | None, typer.Option(min=0, help="World size (C360_DEMO_CUSTOMERS).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="World seed (C360_SEED).")] = None,
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    latency_ms: Annotated[float, typer.Option(min=0, help="Added to every request.")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(min=0, help="Random extra latency, 0..N.")] = 0.0,
) -> None:
    """Serve one vendor simulator over the seeded world (the same people as `c360 seed`)."""
    from connectors.simulators import FaultSettings, run_simulator

    settings = Settings()
    chosen_port = port or settings.demo_simulator_ports[system.value]
    size = customers if customers is not None else settings.demo_customers
    console.print(f"[green]{system.value} simulator on http://{host}:{chosen_port}[/green]")
    webhook = _sim_webhook(settings, system)
    run_simulator(
        system.value,
        port=chosen_port,
        customers=size,
        seed=seed if seed is not None else settings.seed,
        faults=FaultSettings(latency_ms=latency_ms, jitter_ms=jitter_ms),
        host=host,
        webhook=webhook,
    )


def _sim_webhook(settings: Settings, system: SimulatedSystem) -> Any:
    """Where a simulator sends its webhooks: C360_SIM_WEBHOOK_URL with the vendor's secret."""
    from connectors.simulators.webhooks import HubSpotWebhookTarget, WebhookTarget

    url = settings.sim_webhook_url
    if url is None:
        return None
    sm_secret, sm_client = (
        settings.surveymonkey_webhook_secret,
        settings.surveymonkey_webhook_client_id,
    )
    if system is SimulatedSystem.SURVEYMONKEY and sm_secret and sm_client:
        return WebhookTarget(url, sm_client, sm_secret.get_secret_value())
    if system is SimulatedSystem.HUBSPOT and settings.hubspot_webhook_secret:
        return HubSpotWebhookTarget(url, settings.hubspot_webhook_secret.get_secret_value())
    return None


@app.command()
def demo() -> None:
    """Migrate, seed the demo world if the store is empty, and serve with GraphiQL."""
    from app.demo import run_demo

    run_demo(Settings(), console)


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


def _add_dsar_commands() -> None:
    from app.privacy.dsar_cli import dsar_app

    app.add_typer(dsar_app, name="dsar")


_add_dsar_commands()
from app.metrics.cli import metrics_app  # noqa: E402  (appended: one line per feature)

app.add_typer(metrics_app, name="metrics")

from app.business.cli import spend_app  # noqa: E402

app.add_typer(spend_app, name="spend")

from app.events.webhooks_cli import webhooks_app  # noqa: E402  (appended: one line per feature)

app.add_typer(webhooks_app, name="webhooks")
