"""The kinds of source data the gateway reads: how each is fetched, merged, cached and asked for.

A kind (orders, tickets, ...) is served by every connected system whose type serves it
(`connectors.registry`): two CRMs both serve tickets. It is fetched in batches per system,
keyed by that system's external id. `many` kinds give a list per id (empty when the source has
none); the others give one record or None. `fields` names the `Customer` fields that read the
kind: the query cost rule and the field selection both read them from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from connectors.records import (
    CrmContact,
    Engagement,
    ErpPartner,
    Invoice,
    Order,
    SourceKind,
    SurveyResponse,
    Ticket,
)

__all__ = ["KINDS", "SOURCE_FIELDS", "KindSpec", "SourceKind", "cache_codecs"]

_EPOCH = datetime.min.replace(tzinfo=UTC)
# The merged timeline (`Customer.interactions`) reads every kind that makes timeline entries.
_TIMELINE = "interactions"

Fetch = Callable[[Any, Sequence[str]], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class KindSpec:
    """How to fetch one kind from a connector, merge it and name the fields that read it."""

    kind: SourceKind
    many: bool
    value_type: Any
    fetch: Fetch
    fields: tuple[str, ...]
    newest: Callable[[Any], datetime | None] | None = None

    def empty(self) -> Any:
        """The value of an id the source does not know."""
        return [] if self.many else None

    def merge(self, values: Sequence[Any]) -> Any:
        """One customer's value from the values of each of its ids (in one or more systems):
        a record kind takes the first record found, a list kind every item, newest first."""
        if not self.many:
            return next((value for value in values if value is not None), None)
        merged = [item for value in values for item in value]
        if len(values) > 1 and self.newest is not None:
            newest = self.newest
            merged.sort(key=lambda item: newest(item) or _EPOCH, reverse=True)
        return merged


def _spec(
    kind: SourceKind,
    value_type: Any,
    fetch: Fetch,
    fields: tuple[str, ...],
    newest: Callable[[Any], datetime | None] | None = None,
) -> KindSpec:
    return KindSpec(kind, newest is not None, value_type, fetch, fields, newest)


KINDS: dict[SourceKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        _spec(SourceKind.ERP_PARTNER, ErpPartner | None, lambda c, ids: c.fetch_partners(ids), ()),
        _spec(
            SourceKind.ERP_ORDERS,
            list[Order],
            lambda c, ids: c.fetch_orders(ids),
            ("orders", _TIMELINE),
            lambda order: order.ordered_at,
        ),
        _spec(
            SourceKind.ERP_INVOICES,
            list[Invoice],
            lambda c, ids: c.fetch_invoices(ids),
            ("invoices",),
            lambda invoice: invoice.updated_at,
        ),
        _spec(
            SourceKind.CRM_CONTACT,
            CrmContact | None,
            lambda c, ids: c.fetch_contacts(ids),
            ("crm",),
        ),
        _spec(
            SourceKind.CRM_TICKETS,
            list[Ticket],
            lambda c, ids: c.fetch_tickets(ids),
            ("tickets", _TIMELINE),
            lambda ticket: ticket.created_at,
        ),
        _spec(
            SourceKind.CRM_ENGAGEMENTS,
            list[Engagement],
            lambda c, ids: c.fetch_engagements(ids),
            (_TIMELINE,),
            lambda engagement: engagement.occurred_at,
        ),
        _spec(
            SourceKind.SURVEY_RESPONSES,
            list[SurveyResponse],
            lambda c, ids: c.fetch_responses(ids),
            ("surveyResponses", _TIMELINE),
            lambda response: response.submitted_at,
        ),
    )
}

# `Customer` field -> the kinds it reads, from the specs above.
SOURCE_FIELDS: dict[str, frozenset[SourceKind]] = {
    field: frozenset(kind for kind, spec in KINDS.items() if field in spec.fields)
    for field in dict.fromkeys(field for spec in KINDS.values() for field in spec.fields)
}


def cache_codecs() -> dict[str, TypeAdapter[Any]]:
    """A JSON codec per kind, for a shared (serialising) cache backend."""
    return {kind.value: TypeAdapter(spec.value_type) for kind, spec in KINDS.items()}
