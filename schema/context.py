"""The per-request context: settings, services, DataLoaders, the request id and the principal."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLError
from starlette.requests import Request

from app.cache import MemoryCacheBackend, SourceCache
from app.graph import CustomerGraph, SourceKind
from app.metrics.recompute import refresh_customers
from app.privacy.access import RequestAccess
from app.privacy.audit import write_request_audit
from app.privacy.principals import Principal
from app.settings import Settings
from app.store.db import Database
from schema.customers.dataloaders import CustomerLoaders
from schema.sources.dataloaders import SourceLoaders


@dataclass
class Context:
    """What every resolver can reach through `info.context`; built fresh for each request."""

    request: Request
    settings: Settings
    db: Database
    request_id: str
    principal: Principal
    graph: CustomerGraph | None = None
    loaders: CustomerLoaders = field(init=False)
    sources: SourceLoaders = field(init=False)
    access: RequestAccess = field(init=False)
    # Errors of sources that failed under fields that still resolved (merged timeline).
    partial_errors: list[GraphQLError] = field(init=False, default_factory=list)
    requested_kinds: dict[int, frozenset[SourceKind]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Loaders cache per request only: never share one across requests.
        self.loaders = CustomerLoaders(self.db)
        graph = self.graph or CustomerGraph({}, {}, SourceCache(MemoryCacheBackend(1)))
        self.sources = SourceLoaders(graph)
        self.access = RequestAccess(self.principal, self.request_id)

    async def recompute_metrics(self, customer_id: str) -> None:
        """After a local change to a metric's inputs (an interaction, a consent): recompute the
        customer's metrics; source data stays cached, as nothing changed upstream."""
        await refresh_customers(
            self.db, self.sources.graph, self.settings, [customer_id], drop_cached_sources=False
        )

    async def close(self) -> None:
        """Write the request's audit rows (reads hold no session to release)."""
        await write_request_audit(self.db, self.access)
