"""The Customer fields backed by source systems, as a mixin the `Customer` type inherits.

Resolvers stay thin: they read the customer's identities, ask the request's source loaders,
and map records to types. A failed source raises `SourceUnavailableError` on its own nullable
field; the merged timeline keeps the sources that answered and reports the others.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.graph import SourceKind
from app.graph.timeline import TimelineEntry, TimelinePosition, TimelineQuery, merge_timeline
from app.pagination import page_newest_first, requested_page_size
from connectors import records
from schema.connections import Edge, page_info
from schema.context import Info
from schema.customers.parts import Interaction, InteractionConnection
from schema.sources.enums import TicketStatus
from schema.sources.partial_errors import report_failed_source
from schema.sources.selection import requested_source_kinds
from schema.sources.types import (
    CrmProfile,
    Invoice,
    Order,
    OrderConnection,
    SourceReportType,
    SurveyResponse,
    SurveyResponseConnection,
    Ticket,
)

_EPOCH = datetime.min.replace(tzinfo=UTC)


def _order_key(order: records.Order) -> tuple[datetime, str]:
    return (order.ordered_at, order.external_id.rjust(20, "0"))


def _response_key(response: records.SurveyResponse) -> tuple[datetime, str]:
    return (response.submitted_at or _EPOCH, response.external_id.rjust(20, "0"))


def _interaction(customer_id: str, entry: TimelineEntry) -> Interaction:
    # Upstream entries are not store rows: their id says where they come from.
    node_id = str(entry.local_id) if entry.local_id is not None else entry.global_key
    return Interaction(
        id=relay.GlobalID("Interaction", node_id),
        customer_id=customer_id,
        channel=entry.channel,
        kind=entry.kind,
        summary=entry.summary,
        occurred_at=entry.occurred_at,
        source=entry.source,
        details=None if entry.details is None else JSON(entry.details),
    )


@strawberry.type
class CustomerSourceFields:
    """Fields of `Customer` whose data lives in the ERP, the CRM and the survey tool."""

    if TYPE_CHECKING:
        id: str

    async def _source(self, info: Info, kind: SourceKind) -> Any:
        """The kind's data over every linked system: null with an error when none answered;
        what the others gave, with an error per failed system, when some did."""
        links = await info.context.loaders.source_links_by_customer_id.load(self.id)
        data = await info.context.sources.for_customer(kind, links)
        value = data.unwrap()
        for failed in data.failed_parts:
            report_failed_source(info, failed)
        return value

    @strawberry.field(description="ERP orders, newest first; null if the ERP is unavailable.")
    async def orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> OrderConnection | None:
        size = requested_page_size(first, info.context.settings)
        orders: list[records.Order] = await self._source(info, SourceKind.ERP_ORDERS)
        page = page_newest_first(orders, _order_key, first=size, after=after)
        return OrderConnection(
            edges=[
                Edge(cursor=cursor, node=Order.from_record(order))
                for cursor, order in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
            total_count=len(orders),
        )

    @strawberry.field(description="ERP invoices, newest first; null if the ERP is unavailable.")
    async def invoices(self, info: Info) -> list[Invoice] | None:
        found: list[records.Invoice] = await self._source(info, SourceKind.ERP_INVOICES)
        return [Invoice.from_record(invoice) for invoice in found]

    @strawberry.field(
        description="The CRM's view of the customer; null if not in the CRM or it is unavailable."
    )
    async def crm(self, info: Info) -> CrmProfile | None:
        contact = await self._source(info, SourceKind.CRM_CONTACT)
        if not isinstance(contact, records.CrmContact):
            return None
        return CrmProfile.from_record(self.id, contact)

    @strawberry.field(
        description=(
            "Support tickets of every linked CRM or support desk, newest first, each naming its "
            "system; `status` keeps only open or closed ones. A system that fails leaves the "
            "others' tickets and adds a SOURCE_UNAVAILABLE error."
        )
    )
    async def tickets(self, info: Info, status: TicketStatus | None = None) -> list[Ticket] | None:
        found: list[records.Ticket] = await self._source(info, SourceKind.CRM_TICKETS)
        tickets = [Ticket.from_record(self.id, ticket) for ticket in found]
        return [t for t in tickets if status is None or t.status is status]

    @strawberry.field(
        description="Survey responses, newest first; null if the survey tool is unavailable."
    )
    async def survey_responses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> SurveyResponseConnection | None:
        size = requested_page_size(first, info.context.settings)
        found: list[records.SurveyResponse] = await self._source(info, SourceKind.SURVEY_RESPONSES)
        page = page_newest_first(found, _response_key, first=size, after=after)
        return SurveyResponseConnection(
            edges=[
                Edge(cursor=cursor, node=SurveyResponse.from_record(self.id, response))
                for cursor, response in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
            total_count=len(found),
        )

    @strawberry.field(
        description="Each source system: how it answered for this customer in this request."
    )
    async def sources(self, info: Info) -> list[SourceReportType]:
        links = await info.context.loaders.source_links_by_customer_id.load(self.id)
        reports = await info.context.sources.reports(links, requested_source_kinds(info))
        return [SourceReportType.from_report(report) for report in reports]

    @strawberry.field(
        description=(
            "One timeline, newest first, merged across interactions recorded at the gateway, "
            "CRM engagements and tickets, ERP orders and survey responses. `channels` keeps "
            "only those channels (phone, email, meeting, note, ticket, order, survey, and the "
            "gateway's own); `since` only what happened at or after it. A source that fails "
            "leaves the rest of the timeline and adds a SOURCE_UNAVAILABLE error. Null only with "
            "an error about its arguments."
        )
    )
    async def interactions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        channels: list[str] | None = None,
        since: datetime | None = None,
    ) -> InteractionConnection | None:
        query = TimelineQuery(
            first=requested_page_size(first, info.context.settings),
            after=TimelinePosition.from_cursor(after) if after is not None else None,
            channels=tuple(channels) if channels is not None else None,
            since=since,
        )
        loaders = info.context.loaders
        links = await loaders.source_links_by_customer_id.load(self.id)
        keyset = query.after.local_keyset() if query.after is not None else None
        local, upstream = await asyncio.gather(
            loaders.interaction_page_by_customer_id.load(
                self.id, (query.first, keyset, query.channels, query.since)
            ),
            info.context.sources.kinds_for_customer(query.kinds(), links),
        )
        page = merge_timeline(query, local, upstream)
        for failed in page.failed:
            report_failed_source(info, failed)
        return InteractionConnection(
            edges=[
                Edge(cursor=cursor, node=_interaction(self.id, entry))
                for cursor, entry in zip(page.cursors, page.entries, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=after is not None
            ),
        )
