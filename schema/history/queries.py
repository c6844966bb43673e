"""History queries: the customers whose contact data is most likely out of date."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from app.pagination import requested_page_size
from app.privacy import policy
from app.quality.decay import StaleCustomer, stale_customers
from schema.connections import Edge, page_info
from schema.context import Info
from schema.customers.types import Customer
from schema.permissions import requires


@strawberry.type(description="A customer whose contact data is likely out of date.")
class StaleContactData:
    customer_id: strawberry.Private[str]
    stale_fields: list[str] = strawberry.field(
        description="Contact kinds with a value neither verified nor changed lately."
    )
    oldest_confirmed_at: datetime = strawberry.field(
        description="When the stalest of those values was last verified or changed."
    )
    outdated_likelihood: float = strawberry.field(
        description="The chance, from each kind's observed yearly change rate, that one of "
        "them has changed since (0 to 1)."
    )

    @strawberry.field(description="The customer (as the caller may see it).")
    async def customer(self, info: Info) -> Customer | None:
        row = await info.context.loaders.customer_by_id.load(self.customer_id)
        return await Customer.visible(info, row) if row is not None else None

    @classmethod
    def from_stale(cls, stale: StaleCustomer) -> StaleContactData:
        return cls(
            customer_id=stale.customer_id,
            stale_fields=stale.stale_fields,
            oldest_confirmed_at=stale.oldest_confirmed_at,
            outdated_likelihood=stale.outdated_likelihood,
        )


@strawberry.type(description="A page of customers to re-verify, the longest unconfirmed first.")
class StaleContactDataConnection:
    edges: list[Edge[StaleContactData]]
    page_info: relay.PageInfo


@strawberry.type
class HistoryQueries:
    @strawberry.field(
        description="Customers whose contact data was neither verified nor changed within "
        "C360_STALE_CONTACT_DAYS, the longest unconfirmed first, for re-verification "
        "(stewards and admins).",
        extensions=[requires(policy.IDENTITY_STEWARDS, "list stale contact data")],
    )
    async def stale_contact_data(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> StaleContactDataConnection:
        page = await stale_customers(
            info.context.db,
            info.context.settings,
            first=requested_page_size(first, info.context.settings),
            after=after,
        )
        return StaleContactDataConnection(
            edges=[
                Edge(cursor=cursor, node=StaleContactData.from_stale(item))
                for cursor, item in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
        )
