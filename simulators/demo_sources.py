"""The demo's source systems: the three simulators in background processes, and their config.

They serve the same seeded world as the demo store (same size and seed), so every demo
customer's identities resolve. The connectors file names the token variables; the demo tokens
themselves are only ever passed through the environment of the gateway, never printed.
"""

from __future__ import annotations

import multiprocessing
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.settings import Settings
from connectors.config_toml import dump_connectors_config
from simulators import run_simulator
from simulators.config import demo_config
from simulators.webhooks import WebhookTarget, ZendeskWebhookTarget

STOP_TIMEOUT_SECONDS = 5.0
SIMULATOR_HOST = "127.0.0.1"


def ports_in_use(settings: Settings) -> list[str]:
    """`C360_<SETTING>=<port>` for each port `c360 demo` would listen on that is taken."""
    wanted = {"C360_PORT": (settings.host, settings.port)}
    if settings.connectors_file is None:  # the demo runs the simulators
        for system, port in settings.demo_simulator_ports.items():
            wanted[f"C360_DEMO_{system.upper()}_PORT"] = (SIMULATOR_HOST, port)
    taken = []
    for name, address in wanted.items():
        with socket.socket() as probe:
            try:
                probe.bind(address)
            except OSError:
                taken.append(f"{name}={address[1]}")
    return taken


@contextmanager
def demo_simulators(
    settings: Settings, *, host: str = SIMULATOR_HOST, gateway_url: str | None = None
) -> Iterator[Path]:
    """Run the simulators on the settings' demo ports while the block runs; yield the
    connectors file that points at them.

    With `gateway_url` and the SurveyMonkey webhook settings, the SurveyMonkey simulator
    sends a signed `response_completed` to the gateway for each response posted to it; with
    the Zendesk webhook secret, the Zendesk simulator sends its signed ticket events for each
    ticket created or updated through its API."""
    webhooks: dict[str, WebhookTarget | ZendeskWebhookTarget] = {}
    client_id, secret = (
        settings.surveymonkey_webhook_client_id,
        settings.surveymonkey_webhook_secret,
    )
    if gateway_url and client_id and secret:
        webhooks["surveymonkey"] = WebhookTarget(gateway_url, client_id, secret.get_secret_value())
    desk_secret = settings.zendesk_webhook_secret
    if gateway_url and desk_secret:
        webhooks["zendesk"] = ZendeskWebhookTarget(gateway_url, desk_secret.get_secret_value())
    # Spawned, not forked: a fork would copy the parent's event loop and open database handles.
    spawn = multiprocessing.get_context("spawn")
    ports = settings.demo_simulator_ports
    processes = [
        spawn.Process(
            target=run_simulator,
            args=(system,),
            kwargs={
                "port": port,
                "customers": settings.demo_customers,
                "seed": settings.seed,
                "host": host,
                "webhook": webhooks.get(system),
            },
            name=f"c360-sim-{system}",
            daemon=True,
        )
        for system, port in ports.items()
    ]
    with tempfile.TemporaryDirectory(prefix="c360-demo-") as directory:
        path = Path(directory) / "connectors.toml"
        path.write_text(dump_connectors_config(demo_config(ports, host=host)), encoding="utf-8")
        for process in processes:
            process.start()
        try:
            yield path
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(STOP_TIMEOUT_SECONDS)
