"""A caller's changes to customers, for one request: each one written, recorded on the request's
access record (its audit rows), and followed by what it implies (cached source data dropped,
metrics recomputed).

The GraphQL context builds one `CustomerService` per request; a mutation's resolver reads its
arguments, calls one method and maps the result. Who may call what is decided before, on the
field (`app/privacy/policy.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.business.acquisition import NewAcquisition, set_acquisition
from app.customers import activity, contact_points, preferences, profiles
from app.customers.contact_points import NewContactPoint
from app.graph import CustomerGraph, invalidate_customer
from app.metrics.recompute import refresh_customers
from app.privacy import consent
from app.privacy.access import RequestAccess
from app.search.service import SearchHit, search_customers
from app.settings import Settings
from app.store import models
from app.store.db import Database

SELF_SERVICE = "self_service"
"""The source of a customer's changes to their own record."""


@dataclass(frozen=True, slots=True)
class CustomerService:
    """Audited changes to customers by the request's caller."""

    db: Database
    settings: Settings
    graph: CustomerGraph
    access: RequestAccess

    def own_id(self) -> str:
        """The caller's own customer id (self-service fields let only customers in)."""
        subject = self.access.principal.subject
        assert subject is not None, "a customer principal always has a subject"
        return subject

    async def create_customer(
        self, profile: dict[str, Any], points: list[NewContactPoint]
    ) -> models.Customer:
        """Create a customer with its first contact points."""
        row = await profiles.create_customer(
            self.db,
            profiles.NewCustomer(profile=profile, contact_points=points),
            default_region=self.settings.default_phone_region,
            settings=self.settings,
        )
        self.access.record_change(row.id, "create", profile)
        return row

    async def update_customer(
        self, customer_id: str, version: int, changes: dict[str, Any]
    ) -> models.Customer:
        """Change a customer's profile if `version` is still current."""
        row = await profiles.update_customer(
            self.db,
            customer_id=customer_id,
            version=version,
            changes=changes,
            settings=self.settings,
        )
        self.access.record_change(row.id, "update", changes)
        return row

    async def update_own_profile(self, version: int, changes: dict[str, Any]) -> models.Customer:
        """The caller changes their own profile (marked verified, from self-service)."""
        row = await profiles.update_customer(
            self.db,
            customer_id=self.own_id(),
            version=version,
            changes=changes,
            source=SELF_SERVICE,
            verified=True,
        )
        self.access.record_change(row.id, "update", changes)
        return row

    async def add_contact_point(self, customer_id: str, point: NewContactPoint) -> models.Customer:
        """Add an email, phone or postal address; returns its customer."""
        customer, _ = await contact_points.add_contact_point(
            self.db,
            customer_id=customer_id,
            point=point,
            default_region=self.settings.default_phone_region,
            settings=self.settings,
        )
        self.access.record_change(customer.id, "add_contact_point", [point.kind.value])
        return customer

    async def remove_contact_point(self, contact_point_id: int) -> models.Customer:
        """Remove a contact point; returns its customer."""
        customer = await contact_points.remove_contact_point(
            self.db, contact_point_id=contact_point_id
        )
        self.access.record_change(customer.id, "remove_contact_point", [])
        return customer

    async def record_interaction(
        self, customer_id: str, new: activity.NewInteraction
    ) -> models.Interaction:
        """Record an interaction, then recompute the metrics that read interactions."""
        row = await activity.record_interaction(self.db, customer_id=customer_id, new=new)
        self.access.record_change(row.customer_id, "record_interaction", [])
        # Engagement, recency and churn risk read local interactions: keep them current.
        await self._recompute_metrics(row.customer_id)
        return row

    async def record_metric(
        self, customer_id: str, new: activity.NewMetric
    ) -> models.MetricObservation:
        """Append a metric observation to a customer's history."""
        row = await activity.record_metric(self.db, customer_id=customer_id, new=new)
        self.access.record_change(row.customer_id, "record_metric", [row.name])
        return row

    async def link_source_identity(
        self, customer_id: str, system: str, external_id: str
    ) -> models.SourceLink:
        """Link a source-system identity to a customer."""
        link = await activity.link_source_identity(
            self.db,
            customer_id=customer_id,
            system=system,
            external_id=external_id,
            settings=self.settings,
        )
        self.access.record_change(link.customer_id, "link_source_identity", [link.system])
        return link

    async def record_consent(
        self, customer_id: str, new: consent.NewConsent
    ) -> models.ConsentEvent:
        """Append a consent decision; nothing cached about the customer outlives it."""
        event = await consent.record_consent(self.db, customer_id=customer_id, new=new)
        await invalidate_customer(self.graph, self.db, event.customer_id)
        self.access.record_change(
            event.customer_id, "consent", [f"{new.purpose.value}.{new.channel.value}"]
        )
        # Churn risk reads the email marketing consent (unsubscribed): keep it current.
        await self._recompute_metrics(event.customer_id)
        return event

    async def set_preferences(
        self, customer_id: str, new: preferences.NewPreferences, *, source: str = "gateway"
    ) -> models.Preference:
        """Replace a customer's communication preferences."""
        row = await preferences.set_preferences(
            self.db, customer_id=customer_id, new=new, source=source
        )
        self.access.record_change(row.customer_id, "preferences", ["preferences"])
        return row

    async def set_acquisition(self, new: NewAcquisition) -> models.Acquisition:
        """Set where a customer came from (replaces its acquisition record)."""
        row = await set_acquisition(self.db, new)
        self.access.record_change(row.customer_id, "set_acquisition", ["acquisition"])
        return row

    async def _recompute_metrics(self, customer_id: str) -> None:
        # After a local change to a metric's inputs: source data stays cached, as nothing
        # changed upstream.
        await refresh_customers(
            self.db, self.graph, self.settings, [customer_id], drop_cached_sources=False
        )

    async def search(self, query: str, limit: int | None) -> list[SearchHit]:
        """Live customers best matching free text; each hit is audited as a read."""
        purpose = self.access.consent_purpose
        hits = await search_customers(
            self.db,
            query=query,
            limit=limit,
            default_region=self.settings.default_phone_region,
            consent_purpose=purpose.value if purpose is not None else None,
        )
        for hit in hits:
            # Search probes personal data (is this phone a customer's?) outside any `@pii` field.
            self.access.record_read(hit.customer.id, ["Query.searchCustomers"])
        return hits
