"""What every HTTP connector shares: its settings, one pooled `SourceClient`, and building both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Self

import httpx

from connectors.config import ConnectorSettings, resolve_token
from connectors.http import SourceClient
from connectors.records import SourceKind


class PooledConnector:
    """Base of the connectors: owns the system's client, built from configuration."""

    bearer_auth: ClassVar[bool] = True  # send the token as `Authorization: Bearer ...`
    # The kinds of data this type of system serves, the lightest first (what a status probe
    # of `Customer.sources` fetches).
    serves: tuple[SourceKind, ...] = ()  # a described system sets its own

    def __init__(self, settings: ConnectorSettings, client: SourceClient) -> None:
        self.settings = settings
        self.client = client
        self.system = settings.system  # the configured name: two systems of one type differ

    @classmethod
    def from_settings(
        cls,
        settings: ConnectorSettings,
        *,
        environ: Mapping[str, str],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Self:
        """Build the connector and its pooled client; `transport` replaces the network."""
        token = resolve_token(settings, environ)
        headers = {"Authorization": f"Bearer {token}"} if cls.bearer_auth else None
        connector = cls(settings, SourceClient(settings, headers=headers, transport=transport))
        connector.use_token(token)
        return connector

    def use_token(self, token: str) -> None:
        """Hook for connectors that send the token in the body; bearer ones need nothing."""

    async def aclose(self) -> None:
        """Release the HTTP pool."""
        await self.client.aclose()
