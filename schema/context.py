"""The per-request context: settings, services, DataLoaders, the request id and the principal."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from strawberry.types.graphql import OperationType

from app.cache import MemoryCacheBackend, SourceCache
from app.customers.service import CustomerService
from app.graph import CustomerGraph, SourceKind
from app.identity.steward_service import StewardService
from app.privacy.access import RequestAccess
from app.privacy.audit import write_request_audit
from app.privacy.principals import Principal
from app.privacy.subject_requests import SubjectRequests
from app.settings import Settings
from app.sources import CustomerSources
from app.store.db import Database
from app.store.request_work import finish_bookkeeping
from schema.customers.dataloaders import CustomerLoaders
from schema.history.dataloaders import HistoryLoaders


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
    history: HistoryLoaders = field(init=False)
    sources: CustomerSources = field(init=False)
    access: RequestAccess = field(init=False)
    # The caller's audited changes, by domain.
    customers: CustomerService = field(init=False)
    stewards: StewardService = field(init=False)
    subject_requests: SubjectRequests = field(init=False)
    # Errors of sources that failed under fields that still resolved (merged timeline).
    partial_errors: list[GraphQLError] = field(init=False, default_factory=list)
    requested_kinds: dict[int, frozenset[SourceKind]] = field(init=False, default_factory=dict)
    # The type of the operation executed (None until execution starts): a mutation has written.
    operation_type: OperationType | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Loaders cache per request only: never share one across requests.
        self.loaders = CustomerLoaders(self.db)
        self.history = HistoryLoaders(self.db, self.settings)
        graph = self.graph or CustomerGraph({}, {}, SourceCache(MemoryCacheBackend(1)))
        self.sources = CustomerSources(graph)
        self.access = RequestAccess(self.principal, self.request_id)
        self.customers = CustomerService(self.db, self.settings, graph, self.access)
        self.stewards = StewardService(self.db, self.settings, self.access)
        self.subject_requests = SubjectRequests(self.db, self.settings, graph, self.access)

    async def close(self) -> None:
        """Write the request's audit rows, even if the request is cancelled (reads hold no
        session to release)."""
        await finish_bookkeeping(write_request_audit(self.db, self.access))


Info = strawberry.Info[Context, None]
"""What HTTP resolvers take as `info`: `info.context` is the request's `Context`."""
