"""The kinds of source data the gateway reads, and how each is fetched, merged and cached.

A kind belongs to one system (by the system's connector kind) and is fetched in batches keyed
by that system's external id. `many` kinds give a list per id (empty when the source has
none); the others give one record or None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter

from connectors.base import Connector
from connectors.config import SYSTEM_KINDS
from connectors.records import (
    ConnectorKind,
    CrmContact,
    Engagement,
    ErpPartner,
    Invoice,
    Order,
    SurveyResponse,
    Ticket,
)

SYSTEM_OF_KIND: dict[ConnectorKind, str] = {kind: system for system, kind in SYSTEM_KINDS.items()}
SOURCE_SYSTEMS: tuple[str, ...] = tuple(SYSTEM_KINDS)
_EPOCH = datetime.min.replace(tzinfo=UTC)


class SourceKind(StrEnum):
    """One kind of upstream data; its value is part of the cache key."""

    ERP_PARTNER = "partner"
    ERP_ORDERS = "orders"
    ERP_INVOICES = "invoices"
    CRM_CONTACT = "contact"
    CRM_TICKETS = "tickets"
    CRM_ENGAGEMENTS = "engagements"
    SURVEY_RESPONSES = "responses"


Fetch = Callable[[Any, Sequence[str]], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    """How to fetch one kind from its system's connector, and what an absent id means."""

    kind: SourceKind
    connector_kind: ConnectorKind
    many: bool
    value_type: Any
    fetch: Fetch
    newest: Callable[[Any], datetime | None] | None = None

    @property
    def system(self) -> str:
        """The source system that holds this kind."""
        return SYSTEM_OF_KIND[self.connector_kind]

    def empty(self) -> Any:
        """The value of an id the source does not know."""
        return [] if self.many else None

    def merge(self, values: Sequence[Any]) -> Any:
        """One customer's value from the values of each of its ids in this system."""
        if not self.many:
            return next((value for value in values if value is not None), None)
        merged = [item for value in values for item in value]
        if len(values) > 1 and self.newest is not None:
            newest = self.newest
            merged.sort(key=lambda item: newest(item) or _EPOCH, reverse=True)
        return merged


def _spec(
    kind: SourceKind,
    connector_kind: ConnectorKind,
    value_type: Any,
    fetch: Callable[[Any, Sequence[str]], Awaitable[Mapping[str, Any]]],
    newest: Callable[[Any], datetime | None] | None = None,
) -> KindSpec:
    return KindSpec(kind, connector_kind, newest is not None, value_type, fetch, newest)


KINDS: dict[SourceKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        _spec(
            SourceKind.ERP_PARTNER,
            ConnectorKind.ERP,
            ErpPartner | None,
            lambda c, ids: c.fetch_partners(ids),
        ),
        _spec(
            SourceKind.ERP_ORDERS,
            ConnectorKind.ERP,
            list[Order],
            lambda c, ids: c.fetch_orders(ids),
            lambda order: order.ordered_at,
        ),
        _spec(
            SourceKind.ERP_INVOICES,
            ConnectorKind.ERP,
            list[Invoice],
            lambda c, ids: c.fetch_invoices(ids),
            lambda invoice: invoice.updated_at,
        ),
        _spec(
            SourceKind.CRM_CONTACT,
            ConnectorKind.CRM,
            CrmContact | None,
            lambda c, ids: c.fetch_contacts(ids),
        ),
        _spec(
            SourceKind.CRM_TICKETS,
            ConnectorKind.CRM,
            list[Ticket],
            lambda c, ids: c.fetch_tickets(ids),
            lambda ticket: ticket.created_at,
        ),
        _spec(
            SourceKind.CRM_ENGAGEMENTS,
            ConnectorKind.CRM,
            list[Engagement],
            lambda c, ids: c.fetch_engagements(ids),
            lambda engagement: engagement.occurred_at,
        ),
        _spec(
            SourceKind.SURVEY_RESPONSES,
            ConnectorKind.SURVEY,
            list[SurveyResponse],
            lambda c, ids: c.fetch_responses(ids),
            lambda response: response.submitted_at,
        ),
    )
}

# What `Customer.sources` fetches for a system the query asked nothing else of.
PROBE_KINDS: dict[str, SourceKind] = {
    "odoo": SourceKind.ERP_PARTNER,
    "hubspot": SourceKind.CRM_CONTACT,
    "surveymonkey": SourceKind.SURVEY_RESPONSES,
}


def kinds_of(system: str) -> list[SourceKind]:
    """The kinds held by `system`."""
    return [kind for kind, spec in KINDS.items() if spec.system == system]


def cache_codecs() -> dict[str, TypeAdapter[Any]]:
    """A JSON codec per kind, for a shared (serialising) cache backend."""
    return {kind.value: TypeAdapter(spec.value_type) for kind, spec in KINDS.items()}


def connector_for(connectors: Mapping[str, Connector], kind: SourceKind) -> Connector | None:
    """The configured connector that serves `kind`, if any."""
    return connectors.get(KINDS[kind].system)
