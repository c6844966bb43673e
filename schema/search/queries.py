"""The `searchCustomers` query."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from app.privacy import policy
from app.search.service import search_customers
from schema.search.types import CustomerSearchResult


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Live customers best matching free text (names, town, email, phone in any "
        "format, postcode, loyalty id), best first. Staff roles only; `limit` is 1 to 50."
    )
    async def search_customers(
        self, info: Info, query: str, limit: int | None = 10
    ) -> list[CustomerSearchResult]:
        access = info.context.access
        # Search probes personal data (is this phone a customer's?), so it is for staff who
        # see raw data anyway; analysts get aggregates and customers only their own record.
        access.require(policy.STAFF_ROLES, "search customers")
        consent = access.consent_purpose
        hits = await search_customers(
            info.context.db,
            query=query,
            limit=limit,
            default_region=info.context.settings.default_phone_region,
            consent_purpose=consent.value if consent is not None else None,
        )
        for hit in hits:
            access.record_read(hit.customer.id, ["Query.searchCustomers"])
        return [CustomerSearchResult.from_hit(hit) for hit in hits]
