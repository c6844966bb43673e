"""Data-quality types: store-wide KPIs and one customer's quality summary."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.quality import report


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

    @classmethod
    def from_quality(cls, quality: report.CustomerQuality) -> CustomerQuality:
        return cls(
            completeness=quality.completeness,
            missing_fields=[_camel(f) for f in quality.missing_fields],
            invalid_fields=list(quality.invalid_fields),
            suspected_duplicates=quality.suspected_duplicates,
            last_verified_at=quality.last_verified_at,
            verified_in_last_12_months=quality.verified_recently,
        )
