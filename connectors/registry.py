"""The one registry of connector types, and building the configured connectors from it.

A type of system is described once, by its connector class (its module): its default name,
what kind of system it is, what it can do, which kinds of data it serves, and its `mapping`
settings. Adding a coded system means writing its module and adding its class below; a system
described in configuration only needs no code at all.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from connectors.base import Connector
from connectors.config import ConnectorsConfig, ConnectorSettings
from connectors.declarative.connector import DeclarativeConnector
from connectors.hubspot import HubSpotConnector
from connectors.odoo import OdooConnector
from connectors.pooled import PooledConnector
from connectors.records import SourceKind
from connectors.surveymonkey import SurveyMonkeyConnector

# `type` in the connectors file -> the connector that talks to such a system.
CONNECTOR_TYPES: dict[str, type[PooledConnector]] = {
    "odoo": OdooConnector,
    "hubspot": HubSpotConnector,
    "surveymonkey": SurveyMonkeyConnector,
    "rest": DeclarativeConnector,  # a system described entirely in the connectors file
}


def kinds_of_type(system_type: str) -> tuple[SourceKind, ...]:
    """The kinds of data a system of `system_type` serves, lightest first (none if unknown)."""
    cls = CONNECTOR_TYPES.get(system_type)
    return cls.serves if cls is not None else ()


def build_connector(
    settings: ConnectorSettings,
    *,
    environ: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connector:
    """One connector from its settings; `transport` replaces the network (tests, simulators)."""
    cls = CONNECTOR_TYPES[settings.type]
    # Each registered class implements `Connector`; their shared base alone does not.
    return cls.from_settings(settings, environ=environ, transport=transport)  # type: ignore[return-value]


def build_connectors(
    config: ConnectorsConfig,
    *,
    environ: Mapping[str, str],
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> dict[str, Connector]:
    """Every enabled connector by system name. Close each with `aclose()` at shutdown."""
    transports = transports or {}
    return {
        name: build_connector(settings, environ=environ, transport=transports.get(name))
        for name, settings in config.enabled().items()
    }
