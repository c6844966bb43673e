"""The `searchCustomers` query."""

from __future__ import annotations

import strawberry

from app.privacy import policy
from schema.context import Info
from schema.permissions import requires
from schema.search.types import CustomerSearchResult


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Live customers best matching free text (names, town, email, phone in any "
        "format, postcode, loyalty id), best first. Staff roles only; `limit` is 1 to 50.",
        # Search probes personal data (is this phone a customer's?), so it is for staff who
        # see raw data anyway; analysts get aggregates and customers only their own record.
        extensions=[requires(policy.STAFF_ROLES, "search customers")],
    )
    async def search_customers(
        self, info: Info, query: str, limit: int | None = 10
    ) -> list[CustomerSearchResult]:
        hits = await info.context.customers.search(query, limit)
        return [CustomerSearchResult.from_hit(hit) for hit in hits]
