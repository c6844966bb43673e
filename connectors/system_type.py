"""What the gateway knows of one type of source system, described once, in the type's folder.

A type (`odoo`, `hubspot`, `rest`, ...) is described by a `SystemType` in its own package and
registered in `connectors.registry`. Everything else reads that description: the connectors
file validates a table's `mapping` with the type's model and its `kind` against the type's; the
connector gets its kind and the kinds it serves from it; the customer graph asks it which kinds
a linked system serves and which it probes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

from connectors.base import Connector
from connectors.config import ConnectorSettings, MappingSettings, WebhookFormat
from connectors.records import ConnectorKind, SourceKind


class Secret(StrEnum):
    """Where a system's secret (read from the variable its table's `token_env` names) goes."""

    BEARER = "bearer"  # `Authorization: Bearer <token>` on every request
    CONNECTOR = "connector"  # the connector places it (Odoo: inside each JSON-RPC body)
    DESCRIBED = "described"  # as the system's own description says (a rest table's `auth`)


class ConnectorClass(Protocol):
    """A connector class: builds a connected system's connector from its type and settings."""

    def from_settings(
        self,
        system_type: SystemType,
        settings: ConnectorSettings,
        *,
        environ: Mapping[str, str],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Connector:
        """Build the connector and its pooled client; `transport` replaces the network."""
        ...


@dataclass(frozen=True, slots=True)
class SystemType:
    """One type of source system.

    `name` is its `type` in the connectors file and the default name of a system of the type.
    `serves` lists the kinds of data every system of the type serves, the lightest first: the
    first is what a status probe of `Customer.sources` reads (empty for a type whose systems
    each say what they serve, `rest`). `mapping` is the model of its tables' `mapping`.
    `webhooks` are the webhook formats a system of the type may send (a table's `webhook`),
    the first its default unless `webhook_named` says each table names its own (`rest`).
    """

    name: str
    kind: ConnectorKind
    serves: tuple[SourceKind, ...]
    mapping: type[MappingSettings]
    connector: ConnectorClass
    secret: Secret = Secret.BEARER
    webhooks: tuple[WebhookFormat, ...] = ()
    webhook_named: bool = False
