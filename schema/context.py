"""The per-request context: settings, services, DataLoaders, the request id and the principal."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from app.privacy.access import RequestAccess
from app.privacy.audit import write_request_audit
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
    access: RequestAccess = field(init=False)

    def __post_init__(self) -> None:
        # Loaders cache per request only: never share one across requests.
        self.loaders = CustomerLoaders(self.db)
        self.access = RequestAccess(self.principal, self.request_id)

    async def close(self) -> None:
        """Write the request's audit rows, then release its read session."""
        try:
            await write_request_audit(self.db, self.access)
        finally:
            await self.loaders.reader.close()
