"""The connector of a system described in the connectors file (`type = "rest"`).

It serves the kinds of data its description lists, and nothing else: its capabilities are
those kinds. Every call goes through the system's `DeclarativeClient` (a `SourceClient`), so a
described system has the timeouts, retries with `Retry-After`, circuit, in-flight limit and
metrics of the coded ones, plus its own client-side rate limit. Reads by id run concurrently
(or in batches where the API has a batch endpoint); an id the source answers 404 for is absent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Self
from urllib.parse import quote

import httpx

from connectors.base import SourceHealth
from connectors.config import ConnectorSettings
from connectors.declarative.auth import credentials
from connectors.declarative.client import DeclarativeClient
from connectors.declarative.config import Endpoint, RestDescription, Scalar
from connectors.declarative.fields import CONVERTERS
from connectors.declarative.mapping import RecordMapper
from connectors.declarative.paging import iter_pages, page_items
from connectors.errors import RequestRejectedError
from connectors.fanout import chunked, gather_or_raise
from connectors.health import probe
from connectors.pooled import PooledConnector
from connectors.records import (
    Capability,
    CrmContact,
    Engagement,
    EngagementType,
    SourceChange,
    SourceKind,
    Ticket,
)
from connectors.system_type import SystemType
from connectors.wire import expect_shape

KIND_CAPABILITIES: dict[str, Capability] = {
    "contact": Capability.PROFILES,
    "contact_by_email": Capability.LOOKUP_BY_EMAIL,
    "search": Capability.SEARCH,
    "tickets": Capability.TICKETS,
    "engagements": Capability.ENGAGEMENTS,
    "changes": Capability.CHANGES,
}
RawTicket = tuple[Ticket, Any]  # the mapped ticket and its item, for engagements that follow


def _render(template: str, values: Mapping[str, str], *, in_path: bool) -> str:
    """`template` with its placeholders filled; path values are percent-encoded here, query
    values by httpx."""
    if in_path:
        values = {
            k: quote(v, safe=",") if k == "ids" else quote(v, safe="") for k, v in values.items()
        }
    return template.format_map(values)


def _query(params: Mapping[str, Scalar], values: Mapping[str, str]) -> dict[str, Any]:
    return {
        key: _render(value, values, in_path=False) if isinstance(value, str) else value
        for key, value in params.items()
    }


def _newest_first(items: list[Any], key: Any) -> list[Any]:
    return sorted(items, key=lambda item: (key(item) is not None, key(item) or 0), reverse=True)


# Described kind -> the kind of data the gateway federates with it, the probe first. A
# described `contact` serves sync, search and lookups, not `Customer.crm`: that is the CRM's
# own view of the customer, and a support desk's user record is not one.
SERVED = {
    "tickets": SourceKind.CRM_TICKETS,
    "engagements": SourceKind.CRM_ENGAGEMENTS,
}


class DeclarativeConnector(PooledConnector):
    """A CRM-kind connector for any REST/JSON API, driven by its `RestDescription`."""

    def __init__(
        self, system_type: SystemType, settings: ConnectorSettings, client: DeclarativeClient
    ) -> None:
        if not isinstance(settings.mapping, RestDescription):
            raise TypeError("DeclarativeConnector needs a rest description")
        super().__init__(system_type, settings, client)
        self.client: DeclarativeClient = client
        self.description = settings.mapping
        kinds = self.description.kinds()
        erasure = {Capability.ERASURE} if self.description.erase is not None else set()
        self.capabilities = frozenset({KIND_CAPABILITIES[kind] for kind in kinds} | erasure)
        self.serves = tuple(SERVED[kind] for kind in SERVED if kind in kinds)
        self._mappers = {
            kind: RecordMapper(self.system, kind, self.description.fields_of(kind))
            for kind in kinds
        }
        self._reading: dict[str, asyncio.Future[list[RawTicket]]] = {}

    @classmethod
    def from_settings(
        cls,
        system_type: SystemType,
        settings: ConnectorSettings,
        *,
        environ: Mapping[str, str],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Self:
        """Build the connector and its client; secrets come from `environ`."""
        description = settings.mapping
        if not isinstance(description, RestDescription):
            raise TypeError("DeclarativeConnector needs a rest description")
        headers, auth = credentials(settings, environ)
        client = DeclarativeClient(
            settings,
            headers=headers,
            auth=auth,
            rate_limit=description.rate_limit,
            transport=transport,
        )
        return cls(system_type, settings, client)

    # ---- plumbing ----
    def _endpoint(self, kind: str) -> Endpoint:
        endpoint = getattr(self.description, kind)
        if endpoint is None:
            raise RequestRejectedError(self.system, f"the description has no {kind} endpoint")
        assert isinstance(endpoint, Endpoint)
        return endpoint

    async def _collect(self, endpoint: Endpoint, values: Mapping[str, str]) -> list[Any]:
        """Every item of every page of `endpoint` for `values`; [] if the source says 404."""
        path = _render(endpoint.path, values, in_path=True)
        found: list[Any] = []
        try:
            async for items in iter_pages(
                self.client, endpoint.paging, endpoint.items, path, _query(endpoint.params, values)
            ):
                found.extend(items)
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return []  # an unknown id, as a batch read would leave it out
            raise
        return found

    # ---- contacts ----
    async def fetch_contacts(self, ids: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by the system's id (batched when the description has a batch endpoint)."""
        endpoint = self._endpoint("contact")
        mapper = self._mappers["contact"]
        unique = list(dict.fromkeys(i for i in ids if i))
        if not unique:
            return {}
        batch = endpoint.batch
        if batch is not None:

            async def read(chunk: list[str]) -> list[Any]:
                values = {"ids": batch.separator.join(chunk)}
                path = _render(batch.path, values, in_path=True)
                reply = await self.client.page(path, _query(batch.params, values))
                return page_items(self.system, batch.items, reply.body)

            pages = await gather_or_raise(read(c) for c in chunked(unique, batch.max_size))
        else:
            pages = await gather_or_raise(self._collect(endpoint, {"id": i}) for i in unique)
        with expect_shape(self.system, "contact"):
            contacts = [mapper.contact(item) for page in pages for item in page]
        wanted = set(unique)
        return {c.external_id: c for c in contacts if c.external_id in wanted}

    async def fetch_contacts_by_email(self, emails: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by lower-cased email: the one whose email is exactly the one asked for."""
        endpoint = self._endpoint("contact_by_email")
        mapper = self._mappers["contact_by_email"]
        lowered = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        pages = await gather_or_raise(self._collect(endpoint, {"email": e}) for e in lowered)
        found: dict[str, CrmContact] = {}
        with expect_shape(self.system, "contact"):
            for email, items in zip(lowered, pages, strict=True):
                for contact in (mapper.contact(item) for item in items):
                    if contact.email is not None and contact.email.lower() == email:
                        found.setdefault(email, contact)
        return found

    async def search_contacts(self, query: str, *, limit: int = 10) -> list[CrmContact]:
        """Contacts the system's search finds for `query`, at most `limit`."""
        endpoint = self._endpoint("search")
        mapper = self._mappers["search"]
        limit = max(1, min(limit, 200))
        found: list[CrmContact] = []
        values = {"query": query, "limit": str(limit)}
        path = _render(endpoint.path, values, in_path=True)
        params = _query(endpoint.params, values)
        async for items in iter_pages(self.client, endpoint.paging, endpoint.items, path, params):
            with expect_shape(self.system, "contact"):
                found.extend(mapper.contact(item) for item in items)
            if len(found) >= limit:
                break
        return found[:limit]

    # ---- tickets and engagements ----
    async def _tickets_of(self, contact_id: str) -> list[RawTicket]:
        """One contact's tickets, newest first, with their items; one read shared by
        concurrent callers (a request asks for tickets and the engagements that follow them
        at the same moment)."""
        pending = self._reading.get(contact_id)
        if pending is None:
            pending = asyncio.ensure_future(self._read_tickets(contact_id))
            self._reading[contact_id] = pending
            pending.add_done_callback(partial(self._read_done, contact_id))
        return await asyncio.shield(pending)

    def _read_done(self, contact_id: str, read: asyncio.Future[list[RawTicket]]) -> None:
        if self._reading.get(contact_id) is read:
            del self._reading[contact_id]
        if not read.cancelled():
            read.exception()  # retrieved, even if every caller has stopped waiting

    async def _read_tickets(self, contact_id: str) -> list[RawTicket]:
        items = await self._collect(self._endpoint("tickets"), {"id": contact_id})
        mapper = self._mappers["tickets"]
        with expect_shape(self.system, "ticket"):
            pairs = [(mapper.ticket(contact_id, item), item) for item in items]
        return _newest_first(pairs, lambda pair: pair[0].created_at)

    async def fetch_tickets(self, contact_ids: Sequence[str]) -> dict[str, list[Ticket]]:
        """Tickets, newest first, by contact id."""
        self._endpoint("tickets")
        unique = list(dict.fromkeys(i for i in contact_ids if i))
        per_contact = await gather_or_raise(self._tickets_of(c) for c in unique)
        return {
            contact_id: [ticket for ticket, _ in pairs]
            for contact_id, pairs in zip(unique, per_contact, strict=True)
            if pairs
        }

    async def fetch_engagements(
        self, contact_ids: Sequence[str], types: Sequence[EngagementType] | None = None
    ) -> dict[str, list[Engagement]]:
        """Engagements (of `types`, if given), newest first, by contact id."""
        self._endpoint("engagements")
        unique = list(dict.fromkeys(i for i in contact_ids if i))
        per_contact = await gather_or_raise(self._engagements_of(c) for c in unique)
        wanted = set(types) if types else None
        result: dict[str, list[Engagement]] = {}
        for contact_id, items in zip(unique, per_contact, strict=True):
            kept = [e for e in items if wanted is None or e.type in wanted]
            if kept:
                result[contact_id] = _newest_first(kept, lambda e: e.occurred_at)
        return result

    async def _engagements_of(self, contact_id: str) -> list[Engagement]:
        endpoint = self._endpoint("engagements")
        mapper = self._mappers["engagements"]
        if endpoint.for_each is None:
            items = await self._collect(endpoint, {"id": contact_id})
            with expect_shape(self.system, "engagement"):
                return [mapper.engagement(contact_id, item) for item in items]
        tickets = (await self._tickets_of(contact_id))[: endpoint.for_each_limit]
        pages = await gather_or_raise(
            self._collect(endpoint, {"id": contact_id, "ticket_id": ticket.external_id})
            for ticket, _ in tickets
        )
        engagements: list[Engagement] = []
        with expect_shape(self.system, "engagement"):
            for (_, parent), items in zip(tickets, pages, strict=True):
                for item in items:
                    # The ticket's own JSON is `_parent` (a comment's title is its subject).
                    context = {**item, "_parent": parent} if isinstance(item, dict) else item
                    engagements.append(mapper.engagement(contact_id, context))
        return engagements

    # ---- sync and health ----
    async def iter_changes(self, since: datetime) -> AsyncIterator[SourceChange]:
        """Contacts changed at or after `since`, in the order the source exports them."""
        endpoint = self._endpoint("changes")
        mapper = self._mappers["changes"]
        moment = since.astimezone(UTC)
        values = {
            "since": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "since_epoch": str(int(moment.timestamp())),
        }
        path = _render(endpoint.path, values, in_path=True)
        params = _query(endpoint.params, values)
        async for items in iter_pages(self.client, endpoint.paging, endpoint.items, path, params):
            with expect_shape(self.system, "change"):
                changes = []
                for item in items:
                    contact = mapper.contact(item)
                    changed_at = contact.updated_at
                    if endpoint.changed_at is not None:
                        changed_at = CONVERTERS["datetime"](endpoint.changed_at.search(item))
                    changes.append(
                        SourceChange(
                            self.system, "contact", contact.external_id, changed_at, contact
                        )
                    )
            for change in changes:
                yield change

    async def erase_subject(self, external_id: str) -> bool:
        """Erase the person with the described steps, in order; False if every step says 404
        (the system does not know them). Each step is a write, never retried; a step's 404
        alone is a step done before (an erasure asked again after stopping half-way)."""
        if self.description.erase is None:
            raise RequestRejectedError(self.system, "the description has no erase steps")
        known = False
        for step in self.description.erase.steps:
            path = _render(step.path, {"id": external_id}, in_path=True)
            try:
                await self.client.request(step.method, path, idempotent=False)
            except RequestRejectedError as exc:
                if exc.http_status != 404:
                    raise
            else:
                known = True
        return known

    async def health(self) -> SourceHealth:
        """The description's probe: one cheap authenticated GET."""
        probe_at = self.description.health

        async def call() -> object:
            return await self.client.page(probe_at.path, dict(probe_at.params))

        return await probe(self.system, call)
