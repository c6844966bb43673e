"""The demo's commands, `c360 seed`, `c360 sim` and `c360 demo`, added to the `c360` CLI.

They live with the simulators, not in `app/`: a production install needs none of them. The
`c360` command finds them through the `c360.commands` entry point group (`pyproject.toml`),
so no module of the gateway imports this package.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from app.settings import Settings

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the demo's commands to the `c360` app."""
    app.command("seed")(seed_command)
    app.command()(sim)
    app.command()(demo)


def seed_command(
    customers: Annotated[int, typer.Option(min=1, help="How many customers.")] = 5000,
    seed: Annotated[int | None, typer.Option(help="World seed (C360_SEED).")] = None,
) -> None:
    """Write a deterministic fake world of customers into an upgraded, empty store."""
    from simulators.demo_store import seed_store, store_is_empty

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
    ZENDESK = "zendesk"


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
    from simulators import FaultSettings, run_simulator

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
    from simulators.webhooks import HubSpotWebhookTarget, WebhookTarget, ZendeskWebhookTarget

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
    if system is SimulatedSystem.ZENDESK and settings.zendesk_webhook_secret:
        return ZendeskWebhookTarget(url, settings.zendesk_webhook_secret.get_secret_value())
    return None


def demo() -> None:
    """Migrate, seed the demo world if the store is empty, and serve with GraphiQL."""
    from simulators.demo import run_demo

    run_demo(Settings(), console)
