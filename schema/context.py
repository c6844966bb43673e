"""The per-request context: settings, services, DataLoaders, the request id and the principal."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from app.privacy.principals import Principal
from app.settings import Settings
from app.store.db import Database
from schema.customers.dataloaders import CustomerLoaders


@dataclass
class Context:
    """What every resolver can reach through `info.context`; built fresh for each request."""

    request: Request
    settings: Settings
    db: Database
    request_id: str
    principal: Principal
    loaders: CustomerLoaders = field(init=False)

    def __post_init__(self) -> None:
        # Loaders cache per request only: never share one across requests.
        self.loaders = CustomerLoaders(self.db)

    async def close(self) -> None:
        """Release what the request held (its read session)."""
        await self.loaders.reader.close()
