"""Build the configured connectors: one shared pooled client each, for the app's lifespan."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from connectors.base import Connector
from connectors.config import ConnectorsConfig, ConnectorSettings
from connectors.declarative.connector import DeclarativeConnector
from connectors.hubspot import HubSpotConnector
from connectors.odoo import OdooConnector
from connectors.surveymonkey import SurveyMonkeyConnector

CONNECTOR_CLASSES = {
    "odoo": OdooConnector,
    "hubspot": HubSpotConnector,
    "surveymonkey": SurveyMonkeyConnector,
}


def build_connector(
    settings: ConnectorSettings,
    *,
    environ: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connector:
    """One connector from its settings; `transport` replaces the network (tests, simulators)."""
    if settings.type == "rest":
        return DeclarativeConnector.from_settings(settings, environ=environ, transport=transport)
    cls = CONNECTOR_CLASSES[settings.system]
    return cls.from_settings(settings, environ=environ, transport=transport)


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
