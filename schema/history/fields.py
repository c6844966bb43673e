"""The Customer fields of its history, as a mixin the `Customer` type inherits."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.customers.history import check_as_of, history_page, record_as_of
from app.errors import NotFoundError
from app.pagination import requested_page_size
from schema.connections import Edge, page_info
from schema.context import Info
from schema.history.types import CustomerAsOf, CustomerChange, CustomerChangeConnection


@strawberry.type
class CustomerHistoryFields:
    """Fields of `Customer` about how its record changed over time."""

    if TYPE_CHECKING:
        id: str

    @strawberry.field(
        description="Changes to the golden record, newest first: profile fields, contact "
        "points, identities, preferences, merges. `fields` keeps only those fields (API names: "
        "givenName, email, address, identity, preferences.topics...); `from`/`to` bound the "
        "change time."
    )
    async def history(
        self,
        info: Info,
        fields: list[str] | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CustomerChangeConnection:
        page = await history_page(
            info.context.db,
            customer_id=self.id,
            fields=fields,
            since=from_,
            until=to,
            first=requested_page_size(first, info.context.settings),
            after=after,
        )
        return CustomerChangeConnection(
            edges=[
                Edge(node=CustomerChange.from_model(row), cursor=cursor)
                for row, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
        )

    @strawberry.field(
        description="The record as it stood at `at`: profile, contact points, identities, "
        "consents and preferences. `at` in the future or before the customer existed is "
        "BAD_USER_INPUT."
    )
    async def as_of(self, info: Info, at: datetime) -> CustomerAsOf:
        loaders = info.context.loaders
        customer = await loaders.customer_by_id.load(self.id)
        if customer is None:
            raise NotFoundError("customer not found")
        entries = await info.context.history.changes_by_customer_id.load(self.id)
        check_as_of(customer, entries, at)
        record = record_as_of(
            customer,
            points=await loaders.contact_points_by_customer_id.load(self.id),
            links=await loaders.source_links_by_customer_id.load(self.id),
            preference=await loaders.preferences_by_customer_id.load(self.id),
            consent_history=await loaders.consent_history_by_customer_id.load(self.id),
            entries=entries,
            at=at,
        )
        return CustomerAsOf.from_record(record)
