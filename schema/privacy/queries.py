"""Self-service and audit queries."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.errors import NotFoundError
from app.pagination import requested_page_size
from app.privacy.lookalikes import pending_lookalikes
from app.privacy.policy import EXPORT_ROLES, LOOKALIKE_REVIEWERS
from app.privacy.principals import Role
from schema.connections import Edge, page_info
from schema.customers.types import Customer
from schema.ids import node_id_of
from schema.privacy.access_log import audit_page
from schema.privacy.requests import export_for
from schema.privacy.types import (
    AuditEventConnection,
    DataExport,
    ErasureLookalike,
    ErasureLookalikeConnection,
)

_ADMIN = frozenset({Role.ADMIN})
_CUSTOMER = frozenset({Role.CUSTOMER})


@strawberry.type
class PrivacyQueries:
    @strawberry.field(description="The signed-in customer's own record (customer role only).")
    async def me(self, info: Info) -> Customer | None:
        access = info.context.access
        access.require(_CUSTOMER, "use `me`")
        row = await info.context.loaders.customer_by_id.load(access.principal.subject)
        if row is None:
            raise NotFoundError("your customer record no longer exists")
        return Customer.from_model(row)

    @strawberry.field(description="Who read your record and for which purpose, newest first.")
    async def my_access_log(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AuditEventConnection:
        access = info.context.access
        access.require(_CUSTOMER, "read your access log")
        return await audit_page(info, access.principal.subject, first, after, reads_only=True)

    @strawberry.field(description="Every read and change of a customer's record (admins only).")
    async def audit_trail(
        self,
        info: Info,
        customer_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
    ) -> AuditEventConnection:
        info.context.access.require(_ADMIN, "read audit trails")
        customer = node_id_of(customer_id, "Customer", argument="customerId")
        return await audit_page(info, customer, first, after, reads_only=False)

    @strawberry.field(
        description="Everything held or linked about a customer, as one document (admins and "
        "stewards; a customer uses requestMyDataExport). Audited."
    )
    async def export_customer_data(
        self, info: Info, customer_id: relay.GlobalID
    ) -> DataExport | None:
        info.context.access.require(EXPORT_ROLES, "export customer data")
        return await export_for(info, node_id_of(customer_id, "Customer", argument="customerId"))

    @strawberry.field(
        description="Live customers that held an identifier of an erased person, awaiting a "
        "steward, oldest first (stewards and admins)."
    )
    async def erasure_lookalikes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> ErasureLookalikeConnection:
        info.context.access.require(LOOKALIKE_REVIEWERS, "review erasure look-alikes")
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
