"""Customer queries: by id, by source identity, and as a filtered, paginated list."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.customers.listing import (
    count_customers,
    customer_id_by_source,
    list_customers,
    visible_to,
)
from app.errors import NotFoundError
from app.identity.contact import normalize_email, normalize_phone
from app.privacy import policy
from app.store.repositories.customers import CustomerFilter as StoreFilter
from app.store.repositories.customers import CustomerOrder as StoreOrder
from app.store.repositories.customers import CustomerOrderField as StoreOrderField
from schema.connections import page_info
from schema.context import Info
from schema.customers.inputs import CustomerFilter, CustomerOrder
from schema.customers.types import Customer
from schema.enums import ConsentChannel, OrderDirection
from schema.ids import node_id_of
from schema.permissions import requires


@strawberry.type(description="A page of customers.")
class CustomerConnection:
    edges: list[relay.Edge[Customer]]
    page_info: relay.PageInfo
    criteria: strawberry.Private[StoreFilter]

    @strawberry.field(description="How many customers match the filter, across all pages.")
    async def total_count(self, info: Info) -> int:
        return await count_customers(info.context.db, criteria=self.criteria)


def _store_filter(given: CustomerFilter | None, default_region: str) -> StoreFilter:
    if given is None:
        return StoreFilter()
    return StoreFilter(
        lifecycle_stage=given.lifecycle_stage.value if given.lifecycle_stage else None,
        segment=given.segment,
        updated_since=given.updated_since,
        email=normalize_email(given.email) if given.email else None,
        phone=normalize_phone(given.phone, default_region) if given.phone else None,
        name=given.name,
        consented_to=(
            ((given.consented_to.purpose.value, _value(given.consented_to.channel)),)
            if given.consented_to
            else ()
        ),
    )


def _value(channel: ConsentChannel | None) -> str | None:
    return channel.value if channel is not None else None


@strawberry.type
class CustomerQueries:
    node: relay.Node = relay.node(description="Any object with a global id.")

    @strawberry.field(description="A customer by global id; a merged id gives the survivor.")
    async def customer(self, info: Info, id: relay.GlobalID) -> Customer | None:  # noqa: A002
        row = await info.context.loaders.customer_by_id.load(node_id_of(id, "Customer"))
        if row is None:
            raise NotFoundError("customer not found")
        return await Customer.visible(info, row)

    @strawberry.field(description="A customer by an identity in a source system or loyalty card.")
    async def customer_by_source_id(
        self, info: Info, system: str, external_id: str
    ) -> Customer | None:
        customer_id = await customer_id_by_source(
            info.context.db, system=system.strip().lower(), external_id=external_id.strip()
        )
        row = await info.context.loaders.customer_by_id.load(customer_id) if customer_id else None
        if row is None:
            raise NotFoundError("no customer is linked to this source identity")
        return await Customer.visible(info, row)

    @strawberry.field(
        description="Customers matching `filter`, as a Relay connection.",
        extensions=[requires(policy.READ_ROLES, "list customers")],
    )
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,  # noqa: A002
        first: int | None = None,
        after: str | None = None,
        order_by: CustomerOrder | None = None,
    ) -> CustomerConnection:
        settings = info.context.settings
        criteria = visible_to(
            _store_filter(filter, settings.default_phone_region),
            info.context.access.consent_purpose,
        )
        order = order_by or CustomerOrder()
        page = await list_customers(
            info.context.db,
            settings=settings,
            criteria=criteria,
            order=StoreOrder(
                field=StoreOrderField(order.field.value),
                descending=order.direction is OrderDirection.DESC,
            ),
            first=first,
            after=after,
        )
        return CustomerConnection(
            edges=[
                relay.Edge(cursor=cursor, node=Customer.from_model(row))
                for cursor, row in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
            criteria=criteria,
        )
