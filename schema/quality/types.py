"""Data-quality types: store-wide KPIs and one customer's quality summary."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.quality import decay, report
from schema.context import Info


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="A count out of a total, and its share (0 when the total is 0).")
class Ratio:
    count: int
    total: int
    share: float

    @classmethod
    def from_ratio(cls, ratio: report.Ratio) -> Ratio:
        return cls(count=ratio.count, total=ratio.total, share=ratio.share)


@strawberry.type(description="How many live customers have a golden field filled in.")
class FieldCompleteness:
    field: str = strawberry.field(
        description="givenName, familyName, birthDate, email, phone or address."
    )
    present: Ratio


@strawberry.type(
    description="How one kind of contact data decays: the share gone stale and how much of it "
    "changes in a year, measured from the change log."
)
class ContactDecay:
    kind: str = strawberry.field(description="email, phone or address.")
    stale: Ratio = strawberry.field(
        description="Values of live customers neither verified nor changed within "
        "staleAfterDays, over all such values."
    )
    yearly_change_rate: float = strawberry.field(
        description="Share of the live customers known a year ago whose contact data of this "
        "kind changed during the year (merges left out)."
    )
    stale_after_days: int = strawberry.field(description="C360_STALE_CONTACT_DAYS.")

    @classmethod
    def from_decay(cls, measured: decay.ContactDecay) -> ContactDecay:
        return cls(
            kind=measured.kind,
            stale=Ratio.from_ratio(measured.stale),
            yearly_change_rate=measured.yearly_change_rate,
            stale_after_days=measured.stale_after_days,
        )


@strawberry.type(description="Store-wide data-quality KPIs over live customers; no personal data.")
class DataQuality:
    measured_at: datetime
    customers: int = strawberry.field(description="Live customers (merged records left out).")
    pending_candidates: int = strawberry.field(
        description="Match candidates awaiting a steward's decision."
    )
    duplicate_rate: Ratio = strawberry.field(
        description="Customers in at least one pending match candidate, over live customers."
    )
    completeness: list[FieldCompleteness]
    valid_emails: Ratio = strawberry.field(description="Valid email addresses over all stored.")
    valid_phones: Ratio = strawberry.field(description="Valid E.164 phones over all stored.")
    not_verified_in_12_months: Ratio = strawberry.field(
        description="Customers never verified or last verified over 12 months ago."
    )

    @strawberry.field(
        description="Per kind of contact data, how much is stale and how fast it changes."
    )
    async def contact_decay(self, info: Info) -> list[ContactDecay]:
        measured = await decay.contact_decay(info.context.db, info.context.settings)
        return [ContactDecay.from_decay(kind) for kind in measured]

    @classmethod
    def from_report(cls, measured: report.DataQualityReport) -> DataQuality:
        return cls(
            measured_at=measured.measured_at,
            customers=measured.customers,
            pending_candidates=measured.pending_candidates,
            duplicate_rate=Ratio.from_ratio(measured.suspected_duplicates),
            completeness=[
                FieldCompleteness(field=_camel(field), present=Ratio.from_ratio(ratio))
                for field, ratio in measured.completeness.items()
            ],
            valid_emails=Ratio.from_ratio(measured.valid_emails),
            valid_phones=Ratio.from_ratio(measured.valid_phones),
            not_verified_in_12_months=Ratio.from_ratio(measured.not_verified_recently),
        )


@strawberry.type(description="How far a customer's record can be trusted; widgets skip low scores.")
class CustomerQuality:
    completeness: float = strawberry.field(
        description="Share of the golden fields present (names, birth date, email, phone, "
        "address), from 0 to 1."
    )
    missing_fields: list[str]
    invalid_fields: list[str] = strawberry.field(
        description="Contact kinds (email, phone) holding at least one invalid value."
    )
    suspected_duplicates: int = strawberry.field(
        description="Pending match candidates that involve this customer."
    )
    last_verified_at: datetime | None
    verified_in_last_12_months: bool
    customer_id: strawberry.Private[str | None] = None

    @strawberry.field(
        description="Contact kinds (email, phone, address) holding a value neither verified nor "
        "changed within C360_STALE_CONTACT_DAYS: ask the customer to confirm them."
    )
    async def stale_fields(self, info: Info) -> list[str]:
        if self.customer_id is None:
            return []
        stale: list[str] = await info.context.history.stale_fields_by_customer_id.load(
            self.customer_id
        )
        return stale

    @classmethod
    def from_quality(
        cls, quality: report.CustomerQuality, customer_id: str | None = None
    ) -> CustomerQuality:
        return cls(
            customer_id=customer_id,
            completeness=quality.completeness,
            missing_fields=[_camel(f) for f in quality.missing_fields],
            invalid_fields=list(quality.invalid_fields),
            suspected_duplicates=quality.suspected_duplicates,
            last_verified_at=quality.last_verified_at,
            verified_in_last_12_months=quality.verified_recently,
        )
