"""Customer lists and lookups by source identity."""

from __future__ import annotations

from dataclasses import replace

from app.pagination import Page, requested_page_size
from app.privacy.consent import ConsentPurpose
from app.settings import Settings
from app.store.db import Database
from app.store.repositories import customer_rows
from app.store.repositories import customers as repo
from app.store.repositories.customer_rows import CustomerRow
from app.store.repositories.customers import CustomerFilter, CustomerOrder


def visible_to(criteria: CustomerFilter, consent_purpose: ConsentPurpose | None) -> CustomerFilter:
    """`criteria` narrowed to the customers a caller may list: a consent-gated purpose only
    ever sees customers whose consent for it holds now."""
    if consent_purpose is None:
        return criteria
    return replace(criteria, consented_to=(*criteria.consented_to, (consent_purpose, None)))


async def list_customers(
    db: Database,
    *,
    settings: Settings,
    criteria: CustomerFilter,
    order: CustomerOrder,
    first: int | None,
    after: str | None,
) -> Page[CustomerRow]:
    """One page of live customers (rows); `first` is checked against the page-size limit."""
    size = requested_page_size(first, settings)
    return await db.read(
        lambda connection: customer_rows.customer_page(
            connection, criteria=criteria, order=order, first=size, after=after
        )
    )


async def count_customers(db: Database, *, criteria: CustomerFilter) -> int:
    async with db.session() as session:
        return await repo.count_customers(session, criteria=criteria)


async def customer_id_by_source(db: Database, *, system: str, external_id: str) -> str | None:
    """The customer linked to (system, external id), or None."""
    async with db.session() as session:
        return await repo.customer_id_by_source(session, system=system, external_id=external_id)
