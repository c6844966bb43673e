"""Vendor simulators: Starlette apps speaking Odoo, HubSpot, SurveyMonkey and Zendesk wire formats.

All of them serve one seeded `World` (see `world.py`). `create_simulator_app` builds one for
tests (drive it with `httpx.ASGITransport`); `run_simulator` serves one with uvicorn for
`c360 sim <system> --port N`. Faults are a `FaultSettings`, swappable at runtime through
`app.state.faults.set(...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette

from simulators.config import DEMO_TOKENS
from simulators.faults import FaultSettings, FaultState
from simulators.hubspot_app import create_hubspot_app
from simulators.odoo_app import create_odoo_app
from simulators.surveymonkey_app import create_surveymonkey_app
from simulators.webhooks import HubSpotWebhookTarget, WebhookTarget, ZendeskWebhookTarget
from simulators.world import World, build_world
from simulators.zendesk_app import create_zendesk_app

__all__ = ["FaultSettings", "create_simulator_app", "run_simulator"]

_FACTORIES: dict[str, Callable[[World, FaultState, str], Starlette]] = {
    "odoo": create_odoo_app,
    "hubspot": create_hubspot_app,
    "surveymonkey": create_surveymonkey_app,
    "zendesk": create_zendesk_app,
}


def create_simulator_app(
    system: str, world: World, faults: FaultSettings | None = None, token: str | None = None
) -> Starlette:
    """A simulator app for `system` over `world`; `token` defaults to the demo token.

    `app.state.faults` (a `FaultState`) changes faults at runtime; `app.state.gate.requests`
    counts the requests that reached the simulator.
    """
    if system not in _FACTORIES:
        raise ValueError(f"unknown system {system!r}; expected one of {sorted(_FACTORIES)}")
    state = FaultState(faults or FaultSettings())
    return _FACTORIES[system](world, state, token or DEMO_TOKENS[system])


def run_simulator(
    system: str,
    *,
    port: int,
    customers: int = 1000,
    seed: int = 360,
    faults: FaultSettings | None = None,
    host: str = "127.0.0.1",
    token: str | None = None,
    webhook: WebhookTarget | HubSpotWebhookTarget | ZendeskWebhookTarget | None = None,
) -> None:
    """Serve one simulator with uvicorn until interrupted (blocks); `webhook`: where the
    simulator sends its vendor's webhooks (SurveyMonkey, HubSpot and Zendesk)."""
    import uvicorn

    app = create_simulator_app(system, build_world(customers, seed), faults, token)
    if webhook is not None:
        app.state.webhook = webhook
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
