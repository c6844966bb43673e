"""The seeded store's metrics, computed from its simulated source systems in-process.

`c360 seed` writes people, consents and interactions; their metrics (churn risk with its reasons,
RFM segments, CLV, NPS, ...) come from the same recompute as any store's, fed by the simulators
of the same world through in-memory transports: no port, no network, nothing made up.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.graph.runtime import customer_graph
from app.metrics.recompute import RecomputeSummary, params_from_settings, recompute_all
from app.settings import Settings
from app.store.db import Database
from connectors.registry import ConnectorsConfig
from simulators import create_simulator_app
from simulators.config import demo_config, demo_environment
from simulators.world import build_world


def _in_process_config() -> ConnectorsConfig:
    """The demo connectors with budgets for a whole batch served by in-process simulators.

    The demo budgets (3 s a call) are for one customer's page over a network; a batch of 500
    customers' orders, tickets and answers computed by the simulators in this process takes
    longer, and a timeout would only skip customers.
    """
    tables = {}
    for system, settings in demo_config().connectors.items():
        data = settings.model_dump(mode="json")
        data.update(
            timeouts={"connect": 5.0, "read": 300.0, "budget": 600.0},
            circuit={"failure_threshold": 1000, "cooldown": 1.0},
        )
        tables[system] = data
    return ConnectorsConfig.model_validate({"connectors": tables})


async def compute_seeded_metrics(
    db: Database,
    settings: Settings,
    *,
    customers: int,
    seed_value: int,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RecomputeSummary:
    """Recompute every customer of a store seeded with this world, from its simulators."""
    world = build_world(customers, seed_value)
    config = _in_process_config()
    transports: dict[str, httpx.AsyncBaseTransport] = {
        system: httpx.ASGITransport(app=create_simulator_app(system, world))
        for system in config.connectors
    }
    # The simulators answer in-process: the run's own cache, never a shared one.
    graph = customer_graph(
        settings.model_copy(update={"cache_url": None}),
        config,
        transports=transports,
        environ=demo_environment(),
    )
    try:
        return await recompute_all(
            db,
            graph,
            params=params_from_settings(settings),
            on_start=on_start,
            on_progress=on_progress,
        )
    finally:
        await graph.aclose()
