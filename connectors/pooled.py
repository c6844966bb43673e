"""What every HTTP connector shares: its settings, one pooled `SourceClient`, and building both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

import httpx

from connectors.config import ConnectorSettings, resolve_token
from connectors.http import SourceClient
from connectors.records import ConnectorKind, SourceKind
from connectors.system_type import Secret, SystemType


class PooledConnector:
    """Base of the connectors: owns the system's client, built from its type and settings."""

    def __init__(
        self, system_type: SystemType, settings: ConnectorSettings, client: SourceClient
    ) -> None:
        self.settings = settings
        self.client = client
        self.system = settings.system  # the configured name: two systems of one type differ
        self.kind: ConnectorKind = system_type.kind
        # The kinds of data it serves, the lightest first (what a status probe of
        # `Customer.sources` fetches); a described system sets its own.
        self.serves: tuple[SourceKind, ...] = system_type.serves

    @classmethod
    def from_settings(
        cls,
        system_type: SystemType,
        settings: ConnectorSettings,
        *,
        environ: Mapping[str, str],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Self:
        """Build the connector and its pooled client; `transport` replaces the network."""
        token = resolve_token(settings, environ)
        bearer = system_type.secret is Secret.BEARER
        headers = {"Authorization": f"Bearer {token}"} if bearer else None
        client = SourceClient(settings, headers=headers, transport=transport)
        connector = cls(system_type, settings, client)
        connector.use_token(token)
        return connector

    def use_token(self, token: str) -> None:
        """Hook for connectors that place the token themselves; bearer ones need nothing."""

    async def aclose(self) -> None:
        """Release the HTTP pool."""
        await self.client.aclose()
