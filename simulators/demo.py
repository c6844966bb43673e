"""`c360 demo`: one command from a fresh checkout to a running gateway with data."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import uvicorn
from pydantic import SecretStr
from rich.console import Console
from rich.panel import Panel

from app.settings import Settings
from simulators.config import demo_environment
from simulators.demo_sources import demo_simulators, ports_in_use
from simulators.demo_store import seed_store, store_is_empty

# As for any refused configuration (`c360` exits 2 on invalid settings).
PORT_IN_USE_EXIT = 2

SAMPLE_QUERY = """{
  customers(first: 3, filter: {lifecycleStage: ACTIVE}) {
    totalCount
    edges { node {
      id displayName emails { address } metrics { name value trend }
      sources { system status latencyMs fetchedAt }
      tickets(status: OPEN) { subject createdAt }
      orders(first: 3) { edges { node { number orderedAt amountTotal } } }
      interactions(first: 5) { edges { node { occurredAt source channel summary } } }
    } }
  }
}"""


def graphiql_url(settings: Settings, key: str | None = None) -> str:
    """The GraphiQL page's URL; with `key`, in the fragment: the page signs in with it.

    A fragment never leaves the browser (no server or proxy log sees the key); the page moves it
    into the tab's sessionStorage and out of the address bar.
    """
    url = f"http://{settings.host}:{settings.port}/graphql"
    return url if key is None else f"{url}#key={key}"


def _print_keys(console: Console, keys: dict[str, str]) -> None:
    # Plain full lines, never a table cell that could truncate a key.
    console.print(
        "Demo API keys (new at each start); GraphiQL asks for one, or open its signed-in link"
        ' below. Other clients send it as the header {"X-API-Key": "<key>"}',
        soft_wrap=True,
    )
    for role, key in keys.items():
        console.print(f"  {role:<16} {key}", soft_wrap=True, markup=False, highlight=False)


def run_demo(settings: Settings, console: Console) -> None:
    """Upgrade the store, seed it when empty, print how to start, then serve."""
    from app.privacy.keys_cli import create_demo_keys
    from app.store.db import run_with_database
    from app.store.migrate import upgrade

    taken = ports_in_use(settings)
    if taken:
        console.print(
            f"ports in use: {', '.join(taken)}; set these to free ports",
            markup=False,
            soft_wrap=True,
        )
        raise SystemExit(PORT_IN_USE_EXIT)
    upgrade(settings.database_url)
    if store_is_empty(settings):
        seed_store(settings, settings.demo_customers, settings.seed)
    keys = run_with_database(settings.database_url, create_demo_keys)
    console.print(
        Panel.fit(
            f"GraphiQL: [bold]{graphiql_url(settings)}[/bold]\n\nTry:\n{SAMPLE_QUERY}",
            title="Customer 360 Gateway demo",
        )
    )
    _print_keys(console, keys)
    # Its own line, never wrapped: a terminal makes the whole URL clickable.
    console.print("GraphiQL signed in as admin (this tab only):", soft_wrap=True)
    console.print(
        graphiql_url(settings, keys["admin"]), soft_wrap=True, markup=False, highlight=False
    )
    if settings.connectors_file is not None:
        # The caller points at real (or their own) source systems: no simulators.
        _serve(settings, environ=settings.connector_secrets())
        return
    if settings.surveymonkey_webhook_secret is None:
        # The SurveyMonkey simulator signs its webhooks with a secret made for this run.
        settings = settings.model_copy(
            update={
                "surveymonkey_webhook_client_id": "c360-demo",
                "surveymonkey_webhook_secret": SecretStr(secrets.token_urlsafe(32)),
            }
        )
    if settings.zendesk_webhook_secret is None:
        # So does the Zendesk simulator, with one of its own.
        secret = SecretStr(secrets.token_urlsafe(32))
        settings = settings.model_copy(update={"zendesk_webhook_secret": secret})
    gateway = f"http://{settings.host}:{settings.port}"
    with demo_simulators(settings, gateway_url=gateway) as connectors_file:
        ports = ", ".join(
            f"{system} :{port}" for system, port in settings.demo_simulator_ports.items()
        )
        console.print(f"source simulators: {ports} (connectors file {connectors_file})")
        demo_settings = settings.model_copy(update={"connectors_file": connectors_file})
        # The user's own variables win over the demo tokens.
        _serve(demo_settings, environ={**demo_environment(), **settings.connector_secrets()})


def _serve(settings: Settings, *, environ: Mapping[str, str]) -> None:
    from app.logs import configure_logging
    from composition.asgi import create_app
    from composition.subscriptions import WS_PER_MESSAGE_DEFLATE

    configure_logging(settings.log_level, json=settings.log_json)
    uvicorn.run(
        create_app(settings, source_environ=environ),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        ws_per_message_deflate=WS_PER_MESSAGE_DEFLATE,
    )
