"""The master store's tables (see DESIGN.md, "The data").

History tables (`metric_observation`, `consent_event`, `audit_event`) are append-only: current
values are derived from them, never updated in place.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from app.store.types import UTCDateTime, utcnow


class LifecycleStage(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    PAST = "past"


class ProfileType(StrEnum):
    PERSON = "person"
    BUSINESS = "business"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


class LinkMethod(StrEnum):
    DETERMINISTIC = "deterministic"
    FUZZY = "fuzzy"
    MANUAL = "manual"


class CandidateStatus(StrEnum):
    PENDING = "pending"
    MATCH = "match"
    NOT_MATCH = "not_match"


def new_customer_id() -> str:
    """A fresh, opaque customer id."""
    return str(uuid.uuid4())


def _customer_fk(*, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        index=index,
        nullable=nullable,
    )


class Customer(SQLModel, table=True):
    """The golden record of one real person or business."""

    id: str = Field(default_factory=new_customer_id, primary_key=True, max_length=36)
    lifecycle_stage: str = Field(default=LifecycleStage.PROSPECT, max_length=16, index=True)
    given_name: str | None = Field(default=None, max_length=200)
    middle_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    birth_date: date | None = None
    locale: str | None = Field(default=None, max_length=16)
    profile_type: str = Field(default=ProfileType.PERSON, max_length=16)
    segment: str | None = Field(default=None, max_length=64, index=True)
    loyalty_id: str | None = Field(default=None, max_length=64, index=True)
    national_id: str | None = Field(default=None, max_length=64)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    merged_into: str | None = Field(
        default=None,
        sa_column_args=[ForeignKey("customer.id", ondelete="SET NULL")],
        sa_type=String(36),
        index=True,
    )
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


# A page of live customers in time order walks one of these and stops at the page size. With
# `merged_into` alone SQLite read every live customer and sorted them for each page (3.4 ms of
# CPU per `customers(first: 50)` at 5,000 customers; 0.2 ms with the index).
Index(
    "ix_customer_live_created_at",
    col(Customer.merged_into),
    col(Customer.created_at),
    col(Customer.id),
)
Index(
    "ix_customer_live_updated_at",
    col(Customer.merged_into),
    col(Customer.updated_at),
    col(Customer.id),
)


class ContactPoint(SQLModel, table=True):
    """An email, phone or postal address of a customer, normalized (E.164, lower-case email)."""

    __tablename__ = "contact_point"
    __table_args__ = (Index("ix_contact_point_kind_value", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk()
    kind: str = Field(max_length=16)
    label: str | None = Field(default=None, max_length=32)
    value: str = Field(max_length=512)
    street: str | None = Field(default=None, max_length=256)
    address_line2: str | None = Field(default=None, max_length=256)
    city: str | None = Field(default=None, max_length=128)
    postcode: str | None = Field(default=None, max_length=32)
    region: str | None = Field(default=None, max_length=128)
    country: str | None = Field(default=None, max_length=2)
    is_primary: bool = False
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source: str = Field(default="gateway", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# A customer's address region without reading the table, in the order its metric dimensions
# pick it (primary first, then the oldest): no sort per customer.
Index(
    "ix_contact_point_address",
    col(ContactPoint.customer_id),
    col(ContactPoint.kind),
    col(ContactPoint.is_primary).desc(),
    col(ContactPoint.id),
    col(ContactPoint.region),
    col(ContactPoint.country),
)


class SourceLink(SQLModel, table=True):
    """The crosswalk: one identity in a source system belongs to one customer."""

    __tablename__ = "source_link"
    __table_args__ = (UniqueConstraint("system", "external_id", name="uq_source_link_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk()
    system: str = Field(max_length=64)
    external_id: str = Field(max_length=256)
    method: str = Field(default=LinkMethod.MANUAL, max_length=16)
    score: float | None = None
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FieldProvenance(SQLModel, table=True):
    """Lineage: which source and which survivorship rule gave a golden field its value."""

    __tablename__ = "field_provenance"
    __table_args__ = (UniqueConstraint("customer_id", "field", name="uq_field_provenance_field"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk()
    field: str = Field(max_length=64)
    system: str = Field(max_length=64)
    rule: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MetricObservation(SQLModel, table=True):
    """One value of one metric for one customer at one time; the latest is the current value."""

    __tablename__ = "metric_observation"
    __table_args__ = (
        Index("ix_metric_observation_lookup", "customer_id", "name", "observed_at"),
        Index("ix_metric_observation_name_time", "name", "observed_at"),
        # Latest value per customer of one metric (summaries, at-risk lists).
        Index("ix_metric_observation_name_customer", "name", "customer_id", "observed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk(index=False)
    name: str = Field(max_length=64)
    value: float
    observed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(default="gateway", max_length=64)
    method: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class ConsentEvent(SQLModel, table=True):
    """An append-only consent ledger entry: purpose x channel -> status, with its evidence."""

    __tablename__ = "consent_event"
    __table_args__ = (
        Index("ix_consent_event_lookup", "customer_id", "purpose", "channel", "captured_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk(index=False)
    purpose: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16)
    lawful_basis: str = Field(default="consent", max_length=32)
    captured_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(default="gateway", max_length=64)
    evidence: str | None = Field(default=None, max_length=1024)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


CHANNEL_PRIORITY = ("email", "push", "sms", "phone", "post")
"""The channels a `Preference` names, most preferred first (digital and cheapest first): a
customer's preferred channel is the first of these its preferences hold, in Python
(app/metrics/markers.py) and in SQL (repositories/metric_dimensions.py)."""


class Preference(SQLModel, table=True):
    """A customer's communication preferences and interests (one row per customer)."""

    customer_id: str = Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    frequency: str | None = Field(default=None, max_length=16)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    product_interests: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Interaction(SQLModel, table=True):
    """An interaction recorded at the gateway itself (support note, point-of-sale event...)."""

    __table_args__ = (Index("ix_interaction_timeline", "customer_id", "occurred_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk(index=False)
    channel: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    summary: str = Field(max_length=2000)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(default="gateway", max_length=64)
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class MatchCandidate(SQLModel, table=True):
    """A pair of customers that may be the same person, awaiting a steward's decision."""

    __tablename__ = "match_candidate"
    __table_args__ = (UniqueConstraint("left_id", "right_id", name="uq_match_candidate_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    left_id: str = _customer_fk()
    right_id: str = _customer_fk()
    score: float
    evidence: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default=CandidateStatus.PENDING, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=128)


class AuditEvent(SQLModel, table=True):
    """Who read or changed what about which customer, for which purpose, in which request."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_customer", "customer_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    principal: str = Field(max_length=128)
    role: str = Field(max_length=32)
    purpose: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=32)
    customer_id: str | None = Field(default=None, max_length=36)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=64)


class ApiKey(SQLModel, table=True):
    """A caller's API key: only a SHA-256 hash of the key is stored, never the key itself."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=128, index=True)
    role: str = Field(max_length=32)
    purpose: str = Field(max_length=32)
    # The customer a `customer`-role key acts as; its key goes when the customer is erased.
    subject: str | None = Field(
        default=None,
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        index=True,
    )
    hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PersistedOperation(SQLModel, table=True):
    """An operation registered for persisted-operations mode, by its Apollo SHA-256 hash."""

    __tablename__ = "persisted_operation"

    sha256: str = Field(primary_key=True, max_length=64)
    name: str | None = Field(default=None, max_length=128)
    document: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ErasureRequest(SQLModel, table=True):
    """A data subject's erasure: kept after the customer's rows are gone, for retries and proof.

    `customer_id` is the erased (now deleted) customer's id; no foreign key, on purpose.
    """

    __tablename__ = "erasure_request"

    customer_id: str = Field(primary_key=True, max_length=36)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    requested_by: str = Field(max_length=128)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ErasureTask(SQLModel, table=True):
    """One source identity to erase upstream; its external id is dropped once it is done."""

    __tablename__ = "erasure_task"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(
        sa_column_args=[ForeignKey("erasure_request.customer_id", ondelete="CASCADE")],
        sa_type=String(36),
        index=True,
    )
    system: str = Field(max_length=64)
    external_id: str | None = Field(default=None, max_length=256)
    state: str = Field(max_length=16)
    attempts: int = 0
    detail: str | None = Field(default=None, max_length=256)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LookalikeStatus(StrEnum):
    PENDING = "pending"
    DISMISSED = "dismissed"  # a steward found it is someone else


class ErasureLookalike(SQLModel, table=True):
    """A live customer that held an identifier of an erased person, queued for a steward:
    the same person under a second record (erase it too) or someone else (dismiss it).

    Ids and identifier kinds only, no values. Goes with the customer if it is erased too.
    """

    __tablename__ = "erasure_lookalike"
    __table_args__ = (
        UniqueConstraint("erased_id", "customer_id", name="uq_erasure_lookalike_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    erased_id: str = Field(
        sa_column_args=[ForeignKey("erasure_request.customer_id", ondelete="CASCADE")],
        sa_type=String(36),
        index=True,
    )
    customer_id: str = _customer_fk()
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=LookalikeStatus.PENDING, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=128)


class SuppressionEntry(SQLModel, table=True):
    """A keyed hash (HMAC-SHA256 with the suppression pepper) of an erased person's identifier."""

    __tablename__ = "suppression_entry"

    digest: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BlockingKey(SQLModel, table=True):
    """An indexed blocking key of a customer, so an incoming record finds its candidates fast."""

    __tablename__ = "blocking_key"
    __table_args__ = (UniqueConstraint("customer_id", "key", name="uq_blocking_key_customer_key"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk()
    key: str = Field(max_length=320, index=True)


class SourceRecord(SQLModel, table=True):
    """The last values a source identity gave (the input of survivorship), by (system, id)."""

    __tablename__ = "source_record"
    __table_args__ = (UniqueConstraint("system", "external_id", name="uq_source_record_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk()
    system: str = Field(max_length=64)
    external_id: str = Field(max_length=256)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    verified: bool = False
    observed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SyncCheckpoint(SQLModel, table=True):
    """How far `c360 sync` has read each source system's changes."""

    __tablename__ = "sync_checkpoint"

    system: str = Field(primary_key=True, max_length=64)
    changed_since: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MergeJournal(SQLModel, table=True):
    """One merge, with what is needed to undo it exactly (snapshots of both records)."""

    __tablename__ = "merge_journal"

    id: int | None = Field(default=None, primary_key=True)
    survivor_id: str = Field(max_length=36, index=True)
    merged_id: str = Field(max_length=36, index=True)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    merged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    merged_by: str = Field(max_length=128)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SearchKey(SQLModel, table=True):
    """A key a free-text search finds a live customer by (name pair, email, phone, postcode...).

    Derived from the golden record and contact points by `app.search.index.refresh_search_keys`
    on every write; never edited by hand. No rowid on SQLite: the primary key is the row.
    """

    __tablename__ = "search_key"
    __table_args__ = (
        Index("ix_search_key_lookup", "kind", "key", "customer_id"),
        {"sqlite_with_rowid": False},
    )

    customer_id: str = Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    kind: str = Field(max_length=16, primary_key=True)
    key: str = Field(max_length=256, primary_key=True)


class MetricPopulation(SQLModel, table=True):
    """Population parameters a full recompute derives (RFM breakpoints), newest wins."""

    __tablename__ = "metric_population"
    __table_args__ = (Index("ix_metric_population_name_time", "name", "computed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class WebhookEvent(SQLModel, table=True):
    """A webhook event already processed, so a redelivery of it is ignored."""

    __tablename__ = "webhook_event"
    __table_args__ = (UniqueConstraint("system", "event_id", name="uq_webhook_event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    system: str = Field(max_length=64)
    event_id: str = Field(max_length=128)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    customer_id: str | None = Field(default=None, max_length=36)


class UnmatchedRespondent(SQLModel, table=True):
    """A webhook's person no customer could be linked to, queued for a steward to match."""

    __tablename__ = "unmatched_respondent"
    __table_args__ = (Index("ix_unmatched_respondent_queue", "status", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    system: str = Field(max_length=64)
    external_id: str | None = Field(default=None, max_length=256)
    email: str | None = Field(default=None, max_length=512)
    event_id: str = Field(max_length=128)
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default=CandidateStatus.PENDING, max_length=16)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MetricCurrent(SQLModel, table=True):
    """The latest observation of each metric of each customer, kept beside the history so
    aggregates and rankings read one row per customer (repositories/metric_current.py)."""

    __tablename__ = "metric_current"
    __table_args__ = (
        # Covering, in group order: a summary by an attribute reads one index range, no sort;
        # observed_at for a range and customer_id for leaving merge tombstones out are in it.
        Index("ix_metric_current_name_value", "name", "value", "customer_id"),
        Index(
            "ix_metric_current_segment", "name", "segment", "value", "observed_at", "customer_id"
        ),
        Index(
            "ix_metric_current_stage",
            "name",
            "lifecycle_stage",
            "value",
            "observed_at",
            "customer_id",
        ),
        Index("ix_metric_current_region", "name", "region", "value", "observed_at", "customer_id"),
        Index(
            "ix_metric_current_channel", "name", "channel", "value", "observed_at", "customer_id"
        ),
    )

    customer_id: str = Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    name: str = Field(max_length=64, primary_key=True)
    value: float
    observed_at: datetime = Field(sa_type=UTCDateTime)
    method: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The customer's summary groups, copied here (repositories/metric_dimensions.py) so that
    # metricSummary groups one table; every write to the customer refreshes them.
    segment: str | None = Field(default=None, max_length=64)
    lifecycle_stage: str | None = Field(default=None, max_length=16)
    region: str | None = Field(default=None, max_length=128)
    channel: str | None = Field(default=None, max_length=16)


class MetricPeriod(SQLModel, table=True):
    """Each customer's last observation of a metric in each month and quarter: what a summary
    by MONTH or QUARTER counts, kept in step by every observation write (a clustered table in
    SQLite, so the summary reads the primary key range only)."""

    __tablename__ = "metric_period"
    __table_args__ = ({"sqlite_with_rowid": False},)

    name: str = Field(max_length=64, primary_key=True)
    grain: str = Field(max_length=8, primary_key=True)
    period: str = Field(max_length=8, primary_key=True)
    customer_id: str = Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    value: float
    observed_at: datetime = Field(sa_type=UTCDateTime)


class Acquisition(SQLModel, table=True):
    """Where one customer came from: when, through which channel and campaign, which system
    says so, and (lifecycle stage `past`) when the customer was lost. The customer's current
    order count and CLVs are copied here (repositories/acquisitions.py): what the rollup's
    sums hold for it, so that a change moves them by the difference."""

    customer_id: str = Field(
        sa_column_args=[ForeignKey("customer.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    acquired_at: datetime = Field(sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=64)
    campaign: str | None = Field(default=None, max_length=128)
    system: str = Field(max_length=64)
    lost_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    order_count: float | None = None
    clv_historical: float | None = None
    clv_predicted: float | None = None


class AcquisitionMovement(SQLModel, table=True):
    """Per UTC day (grain 'd') and per month (grain 'm'), channel and campaign ('' for none):
    customers acquired and lost, and sums of the current values of those acquired. What
    businessMetrics reads (whole months, then the days of partial ones), kept in step by
    every acquisition write and every write of a copied metric value."""

    __tablename__ = "acquisition_movement"
    __table_args__ = ({"sqlite_with_rowid": False},)

    grain: str = Field(max_length=1, primary_key=True)
    period: str = Field(max_length=10, primary_key=True)
    channel: str = Field(max_length=64, primary_key=True)
    campaign: str = Field(max_length=128, primary_key=True)
    acquired: int = 0
    lost: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    with_clv: int = 0
    clv_sum: float = 0.0
    with_revenue: int = 0
    revenue_sum: float = 0.0


class AcquisitionRetention(SQLModel, table=True):
    """Customers lost per acquisition month (cohort) and month lost: the retention table's
    rollup, kept in step by every acquisition write."""

    __tablename__ = "acquisition_retention"
    __table_args__ = ({"sqlite_with_rowid": False},)

    cohort: str = Field(max_length=7, primary_key=True)
    lost_month: str = Field(max_length=7, primary_key=True)
    lost: int = 0


class AcquisitionSpend(SQLModel, table=True):
    """What acquiring customers cost over a period (inclusive dates), in the reporting
    currency, with the amount and currency it was recorded in."""

    __tablename__ = "acquisition_spend"
    __table_args__ = (Index("ix_acquisition_spend_period", "period_start", "period_end"),)

    id: int | None = Field(default=None, primary_key=True)
    period_start: date
    period_end: date
    channel: str | None = Field(default=None, max_length=64)
    campaign: str | None = Field(default=None, max_length=128)
    category: str = Field(max_length=32)
    amount: float
    original_amount: float
    currency: str = Field(max_length=3)
    source: str = Field(default="gateway", max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerChange(SQLModel, table=True):
    """One changed field of a golden record (app/customers/history): append-only, written in
    the change's own transaction, deleted only with the person (erasure).

    `changed_at` is when the world changed (a source system's own change time where it gives
    one), `recorded_at` when the gateway wrote it. `item` names the value of a many-valued
    field (a contact point's kind and value, an identity's system and id)."""

    __tablename__ = "customer_change"
    __table_args__ = (
        Index("ix_customer_change_timeline", "customer_id", "changed_at", "id"),
        Index("ix_customer_change_field_time", "field", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = _customer_fk(index=False)
    field: str = Field(max_length=64)
    action: str = Field(max_length=16)
    item: str | None = Field(default=None, max_length=600)
    old_value: Any = Field(default=None, sa_column=Column(JSON))
    new_value: Any = Field(default=None, sa_column=Column(JSON))
    source: str = Field(default="gateway", max_length=64)
    rule: str | None = Field(default=None, max_length=64)
    principal: str = Field(default="system", max_length=128)
    request_id: str | None = Field(default=None, max_length=64)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxEvent(SQLModel, table=True):
    """A change event, written in the same transaction as the change it reports (the
    transactional outbox): subscriptions and outbound webhooks read it. It names what
    changed (field names), never the values."""

    __tablename__ = "event_outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(
        default_factory=lambda: str(uuid.uuid4()), max_length=36, unique=True, nullable=False
    )
    kind: str = Field(max_length=32)
    customer_id: str = Field(max_length=36, index=True)
    changed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="gateway", max_length=64)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookEndpoint(SQLModel, table=True):
    """An outbound webhook receiver registered by an admin (signing secret per endpoint)."""

    __tablename__ = "webhook_endpoint"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    url: str = Field(max_length=2048)
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    purpose: str = Field(max_length=32)
    secret: str = Field(max_length=128)
    enabled: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: written with the event (so none is lost), then sent,
    retried, or kept as a dead letter."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "outbox_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_due", "state", "endpoint_id", "outbox_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: str = Field(
        sa_column_args=[ForeignKey("webhook_endpoint.id", ondelete="CASCADE")],
        sa_type=String(36),
    )
    outbox_id: int = Field(sa_column_args=[ForeignKey("event_outbox.id", ondelete="CASCADE")])
    customer_id: str = Field(max_length=36)
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=128)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
