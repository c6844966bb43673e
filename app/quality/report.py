"""Data-quality KPIs over the whole store and the quality summary of each customer.

Both read the same rules: the golden fields a complete record has, what makes an email or a
phone valid (`valid_contact`), and how long a verification stays fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.store.db import Database
from app.store.models import Customer
from app.store.repositories import quality as repo
from app.store.types import utcnow

GOLDEN_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "address",
)
"""The fields a complete golden record has (a contact kind counts when there is one)."""

VERIFICATION_FRESH_FOR = timedelta(days=365)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True, slots=True)
class Ratio:
    count: int
    total: int

    @property
    def share(self) -> float:
        return _share(self.count, self.total)


@dataclass(frozen=True, slots=True)
class DataQualityReport:
    """Store-wide KPIs over live customers; aggregates only, no personal data."""

    measured_at: datetime
    customers: int
    pending_candidates: int
    suspected_duplicates: Ratio  # customers in a pending candidate / customers
    completeness: dict[str, Ratio]  # golden field -> customers having it / customers
    valid_emails: Ratio  # valid email contact points / email contact points
    valid_phones: Ratio
    not_verified_recently: Ratio  # not verified in the last 12 months / customers


async def data_quality(db: Database, *, now: datetime | None = None) -> DataQualityReport:
    """Measure the store now (a handful of aggregate queries, whatever its size)."""
    now = now or utcnow()
    async with db.session() as session:
        counts = await repo.store_counts(session, verified_since=now - VERIFICATION_FRESH_FOR)
    total = counts.customers
    present = {
        "given_name": counts.given_name,
        "family_name": counts.family_name,
        "birth_date": counts.birth_date,
        **counts.with_contact,
    }
    return DataQualityReport(
        measured_at=now,
        customers=total,
        pending_candidates=counts.pending_candidates,
        suspected_duplicates=Ratio(counts.suspected_duplicates, total),
        completeness={field: Ratio(present[field], total) for field in GOLDEN_FIELDS},
        valid_emails=Ratio(counts.valid_contacts["email"], counts.contacts["email"]),
        valid_phones=Ratio(counts.valid_contacts["phone"], counts.contacts["phone"]),
        not_verified_recently=Ratio(counts.not_verified_since, total),
    )


@dataclass(frozen=True, slots=True)
class CustomerQuality:
    """How far one customer's record can be trusted, for a widget deciding what to show."""

    completeness: float  # share of GOLDEN_FIELDS present
    missing_fields: tuple[str, ...]
    invalid_fields: tuple[str, ...]  # contact kinds with at least one invalid value
    suspected_duplicates: int  # pending match candidates involving the customer
    last_verified_at: datetime | None
    verified_recently: bool


async def quality_of_customers(
    session: AsyncSession, customers: Sequence[Customer], *, now: datetime | None = None
) -> list[CustomerQuality]:
    """The quality of each customer, in order: two queries for the whole batch."""
    now = now or utcnow()
    ids = [c.id for c in customers]
    contacts = await repo.contact_counts_by_customer(session, customer_ids=ids)
    pending = await repo.pending_candidates_by_customer(session, customer_ids=ids)
    empty = repo.CustomerContactCounts(present={}, invalid={})
    result = []
    for customer in customers:
        points = contacts.get(customer.id, empty)
        values = {
            "given_name": customer.given_name,
            "family_name": customer.family_name,
            "birth_date": customer.birth_date,
        }
        missing = tuple(
            field
            for field in GOLDEN_FIELDS
            if not (values[field] if field in values else points.present.get(field))
        )
        verified = customer.verified_at
        result.append(
            CustomerQuality(
                completeness=_share(len(GOLDEN_FIELDS) - len(missing), len(GOLDEN_FIELDS)),
                missing_fields=missing,
                invalid_fields=tuple(k for k, n in sorted(points.invalid.items()) if n),
                suspected_duplicates=pending.get(customer.id, 0),
                last_verified_at=verified,
                verified_recently=verified is not None and verified >= now - VERIFICATION_FRESH_FOR,
            )
        )
    return result
