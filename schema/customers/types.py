"""The Customer node, with its metric and consent-ledger types (the other parts of the record,
which the mixins `Customer` inherits also return, are in `parts.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.errors import NotFoundError
from app.metrics.current import CurrentMetric, current_metrics
from app.metrics.current import Trend as MetricTrend
from app.pagination import (
    check_page_size,
)
from app.privacy.masking import PiiKind
from app.store import models
from app.store.types import utcnow
from schema.context import Info
from schema.customers.parts import (
    Consent,
    EmailAddress,
    PhoneNumber,
    PostalAddress,
    Preferences,
    SourceIdentity,
)
from schema.enums import LifecycleStage, ProfileType, Trend
from schema.history.fields import CustomerHistoryFields
from schema.history.past import past_contact_points
from schema.identity.fields import CustomerIdentityFields
from schema.metrics.fields import CustomerMetricFields
from schema.privacy.access_log import CustomerPrivacyFields
from schema.privacy.gate import check_visible
from schema.privacy.pii import pii, pii_extensions
from schema.quality.types import CustomerQuality
from schema.sources.fields import CustomerSourceFields


@strawberry.type(description="One observation of a metric.")
class MetricObservation:
    name: str
    value: float
    observed_at: datetime
    source: str
    method: str | None
    details: JSON | None

    @classmethod
    def from_model(cls, row: models.MetricObservation) -> MetricObservation:
        return cls(
            name=row.name,
            value=row.value,
            observed_at=row.observed_at,
            source=row.source,
            method=row.method,
            details=None if row.details is None else JSON(row.details),
        )


# The app's trends as the GraphQL enum's members (one lookup per metric on a customer page).
_TRENDS = {trend: Trend(trend.value) for trend in MetricTrend}


@strawberry.type(description="The current value of a metric, with the previous one and the trend.")
class MetricValue:
    name: str
    value: float
    previous_value: float | None
    trend: Trend
    observed_at: datetime
    source: str
    method: str | None
    details: JSON | None

    @classmethod
    def from_current(cls, metric: CurrentMetric[Any]) -> MetricValue:
        current, previous = metric.current, metric.previous
        return cls(
            name=current.name,
            value=current.value,
            previous_value=previous.value if previous is not None else None,
            trend=_TRENDS[metric.trend],
            observed_at=current.observed_at,
            source=current.source,
            method=current.method,
            details=current.details,
        )


@strawberry.type(description="An entry of the consent ledger.")
class ConsentEvent:
    purpose: str
    channel: str
    status: str = strawberry.field(description="granted, denied or withdrawn, as recorded.")
    lawful_basis: str
    captured_at: datetime
    expires_at: datetime | None
    source: str
    customer_id: strawberry.Private[str]
    evidence: str | None = pii(PiiKind.FREE_TEXT, "What proves the decision (form, call...).")

    @classmethod
    def from_model(cls, row: models.ConsentEvent) -> ConsentEvent:
        return cls(
            customer_id=row.customer_id,
            purpose=row.purpose,
            channel=row.channel,
            status=row.status,
            lawful_basis=row.lawful_basis,
            captured_at=row.captured_at,
            expires_at=row.expires_at,
            source=row.source,
            evidence=row.evidence,
        )


def _of_kind(rows: Iterable[models.ContactPoint], kind: str) -> list[models.ContactPoint]:
    return [row for row in rows if row.kind == kind]


@strawberry.federation.type(keys=["id"], description="A customer: the golden record and more.")
class Customer(
    CustomerSourceFields,
    CustomerIdentityFields,
    CustomerMetricFields,
    CustomerPrivacyFields,
    CustomerHistoryFields,
    relay.Node,
):
    id: relay.NodeID[str]
    given_name: str | None = pii(PiiKind.NAME)
    middle_name: str | None = pii(PiiKind.NAME)
    family_name: str | None = pii(PiiKind.NAME)
    birth_date: date | None = pii(PiiKind.BIRTH_DATE)
    locale: str | None
    lifecycle_stage: LifecycleStage
    profile_type: ProfileType
    segment: str | None
    loyalty_id: str | None = pii(PiiKind.IDENTIFIER, "The loyalty card number.")
    version: int = strawberry.field(description="Send it back with updateCustomer.")
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None

    @strawberry.field(
        description="Given and family name, as one would address the customer.",
        **pii_extensions(PiiKind.NAME),
    )
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @classmethod
    def from_model(cls, row: models.Customer) -> Customer:
        return cls(
            id=row.id,
            given_name=row.given_name,
            middle_name=row.middle_name,
            family_name=row.family_name,
            birth_date=row.birth_date,
            locale=row.locale,
            lifecycle_stage=LifecycleStage(row.lifecycle_stage),
            profile_type=ProfileType(row.profile_type),
            segment=row.segment,
            loyalty_id=row.loyalty_id,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            verified_at=row.verified_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: Info,
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Customer | None]:
        rows = await info.context.loaders.customer_by_id.load_many(list(node_ids))
        if required and any(row is None for row in rows):
            # `node(id)` is non-null: a miss must be NOT_FOUND, not a null-in-non-null INTERNAL.
            raise NotFoundError("customer not found")
        return [await cls.visible(info, row) if row is not None else None for row in rows]

    @classmethod
    async def visible(cls, info: Info, row: models.Customer) -> Customer:
        """The customer as a node, if the caller may see it (else FORBIDDEN/CONSENT_REQUIRED)."""
        await check_visible(info, row)
        return cls.from_model(row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Customer | None:  # noqa: A002
        """Federation entity lookup by the global id."""
        global_id = relay.GlobalID.from_id(id)
        if global_id.type_name != cls.__name__:
            return None
        (node,) = await cls.resolve_nodes(info=info, node_ids=[global_id.node_id])
        return node

    @strawberry.field(
        description="Email addresses, primary first; `includePast` adds those no longer "
        "current, each with validFrom and validTo."
    )
    async def emails(self, info: Info, include_past: bool = False) -> list[EmailAddress]:
        if include_past:
            return await past_contact_points(info, self.id, "email", EmailAddress.from_model)
        rows = await info.context.loaders.contact_points_by_customer_id.load(self.id)
        return [EmailAddress.from_model(row) for row in _of_kind(rows, "email")]

    @strawberry.field(
        description="Phone numbers in E.164 form, primary first; `includePast` adds those no "
        "longer current, each with validFrom and validTo."
    )
    async def phones(self, info: Info, include_past: bool = False) -> list[PhoneNumber]:
        if include_past:
            return await past_contact_points(info, self.id, "phone", PhoneNumber.from_model)
        rows = await info.context.loaders.contact_points_by_customer_id.load(self.id)
        return [PhoneNumber.from_model(row) for row in _of_kind(rows, "phone")]

    @strawberry.field(
        description="Postal addresses; `label` keeps only billing, shipping or home; "
        "`includePast` adds those no longer current, each with validFrom and validTo."
    )
    async def addresses(
        self, info: Info, label: str | None = None, include_past: bool = False
    ) -> list[PostalAddress]:
        if include_past:
            found = await past_contact_points(info, self.id, "address", PostalAddress.from_model)
        else:
            rows = await info.context.loaders.contact_points_by_customer_id.load(self.id)
            found = [PostalAddress.from_model(row) for row in _of_kind(rows, "address")]
        return [a for a in found if label is None or a.label == label.lower()]

    @strawberry.field(description="The customer's identities in source systems.")
    async def identities(self, info: Info) -> list[SourceIdentity]:
        rows = await info.context.loaders.source_links_by_customer_id.load(self.id)
        return [SourceIdentity.from_model(row) for row in rows]

    @strawberry.field(description="Current value of each metric; `names` keeps only those.")
    async def metrics(self, info: Info, names: list[str] | None = None) -> list[MetricValue]:
        rows = await info.context.loaders.metric_values_by_customer_id.load(self.id)
        wanted = {name.lower() for name in names} if names is not None else None
        return [MetricValue.from_current(metric) for metric in current_metrics(rows, wanted)]

    @strawberry.field(description="Observations of one metric, newest first.")
    async def metric_history(
        self,
        info: Info,
        name: str,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = None,
    ) -> list[MetricObservation] | None:
        settings = info.context.settings
        limit = check_page_size(
            first, default=settings.max_page_size, maximum=settings.max_page_size
        )
        rows = await info.context.loaders.reader.metric_history(
            self.id, name=name.lower(), since=from_, until=to, limit=limit
        )
        return [MetricObservation.from_model(row) for row in rows]

    @strawberry.field(description="Consents now, per purpose and channel (expired = not granted).")
    async def consents(self, info: Info) -> list[Consent]:
        rows = await info.context.loaders.consents_by_customer_id.load(self.id)
        now = utcnow()
        return [Consent.from_model(row, now) for row in rows]

    @strawberry.field(description="Every consent ledger entry, newest first.")
    async def consent_history(self, info: Info) -> list[ConsentEvent]:
        rows = await info.context.loaders.consent_history_by_customer_id.load(self.id)
        return [ConsentEvent.from_model(row) for row in rows]

    @strawberry.field(description="Communication preferences and interests, if any were given.")
    async def preferences(self, info: Info) -> Preferences | None:
        row = await info.context.loaders.preferences_by_customer_id.load(self.id)
        return Preferences.from_model(row) if row is not None else None

    @strawberry.field(description="How complete, valid, verified and unique this record is.")
    async def quality(self, info: Info) -> CustomerQuality | None:
        found = await info.context.loaders.quality_by_customer_id.load(self.id)
        return CustomerQuality.from_quality(found, self.id) if found is not None else None
