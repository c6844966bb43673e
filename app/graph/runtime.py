"""Building the CustomerGraph for the app's lifespan: connectors from the file, and the cache."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx

from app.cache import open_source_cache
from app.graph.customer_graph import CustomerGraph
from app.graph.kinds import cache_codecs
from app.settings import Settings
from connectors.registry import ConnectorsConfig, build_connectors, load_connectors_config


def connectors_config(settings: Settings) -> ConnectorsConfig:
    """The configured connectors; none without `C360_CONNECTORS_FILE`."""
    if settings.connectors_file is None:
        return ConnectorsConfig(connectors={})
    return load_connectors_config(settings.connectors_file)


def customer_graph(
    settings: Settings,
    config: ConnectorsConfig,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    environ: Mapping[str, str] | None = None,
) -> CustomerGraph:
    """The graph over `config`'s enabled connectors and the cache the settings ask for.

    `transports` replaces the network per system (tests, in-process simulators); `environ`
    replaces the environment the connector tokens are read from. Close it with `aclose()`.
    """
    connectors = build_connectors(
        config,
        environ=environ if environ is not None else settings.connector_secrets(),
        transports=transports,
    )
    return CustomerGraph(connectors, config.enabled(), open_source_cache(settings, cache_codecs()))


@asynccontextmanager
async def open_customer_graph(
    settings: Settings,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[CustomerGraph]:
    """`customer_graph` over the configured connectors, closed (pools, cache) on exit."""
    graph = customer_graph(
        settings, connectors_config(settings), transports=transports, environ=environ
    )
    try:
        yield graph
    finally:
        await graph.aclose()
