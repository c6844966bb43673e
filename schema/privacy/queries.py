"""Self-service and audit queries."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.errors import NotFoundError
from app.pagination import requested_page_size
from app.privacy import policy
from app.privacy.lookalikes import pending_lookalikes
from schema.connections import Edge, page_info
from schema.context import Info
from schema.customers.types import Customer
from schema.ids import node_id_of
from schema.permissions import requires
from schema.privacy.access_log import audit_page
from schema.privacy.requests import export_for
from schema.privacy.types import (
    AuditEventConnection,
    DataExport,
    ErasureLookalike,
    ErasureLookalikeConnection,
)


@strawberry.type
class PrivacyQueries:
    @strawberry.field(
        description="The signed-in customer's own record (customer role only).",
        extensions=[requires(policy.CUSTOMER_ROLES, "use `me`")],
    )
    async def me(self, info: Info) -> Customer | None:
        row = await info.context.loaders.customer_by_id.load(info.context.customers.own_id())
        if row is None:
            raise NotFoundError("your customer record no longer exists")
        return Customer.from_model(row)

    @strawberry.field(
        description="Who read your record and for which purpose, newest first.",
        extensions=[requires(policy.CUSTOMER_ROLES, "read your access log")],
    )
    async def my_access_log(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AuditEventConnection:
        own_id = info.context.customers.own_id()
        return await audit_page(info, own_id, first, after, reads_only=True)

    @strawberry.field(
        description="Every read and change of a customer's record (admins only).",
        extensions=[requires(policy.AUDIT_ROLES, "read audit trails")],
    )
    async def audit_trail(
        self,
        info: Info,
        customer_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
    ) -> AuditEventConnection:
        customer = node_id_of(customer_id, "Customer", argument="customerId")
        return await audit_page(info, customer, first, after, reads_only=False)

    @strawberry.field(
        description="Everything held or linked about a customer, as one document (admins and "
        "stewards; a customer uses requestMyDataExport). Audited.",
        extensions=[requires(policy.EXPORT_ROLES, "export customer data")],
    )
    async def export_customer_data(
        self, info: Info, customer_id: relay.GlobalID
    ) -> DataExport | None:
        return await export_for(info, node_id_of(customer_id, "Customer", argument="customerId"))

    @strawberry.field(
        description="Live customers that held an identifier of an erased person, awaiting a "
        "steward, oldest first (stewards and admins).",
        extensions=[requires(policy.LOOKALIKE_REVIEWERS, "review erasure look-alikes")],
    )
    async def erasure_lookalikes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> ErasureLookalikeConnection:
        size = requested_page_size(first, info.context.settings)
        page, total = await pending_lookalikes(info.context.db, first=size, after=after)
        return ErasureLookalikeConnection(
            edges=[
                Edge(cursor=cursor, node=ErasureLookalike.from_model(row))
                for cursor, row in zip(page.cursors, page.items, strict=True)
            ],
            page_info=page_info(
                page.cursors, has_next=page.has_next_page, has_previous=page.has_previous_page
            ),
            total_count=total,
        )
