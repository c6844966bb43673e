"""The connector contract: what the gateway may ask of any source system.

Every connector is async and batch-first: it takes a list of external ids and returns a dict
external id -> record (or -> list of records); ids the source does not know are simply absent,
never None. It raises only `connectors.errors.ConnectorError` subclasses, each of which maps to
a `SourceStatus`. Connectors hold one shared `SourceClient` each (built in the app's lifespan),
know nothing of the master store, and never cache: caching is the gateway's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from connectors.errors import (
    BadResponseError,
    CircuitOpenError,
    ConnectorError,
    RateLimitedError,
    RequestRejectedError,
    SourceDownError,
    SourceStatus,
    SourceTimeoutError,
    UnauthorizedError,
)
from connectors.records import (
    Capability,
    ConnectorKind,
    CrmContact,
    Engagement,
    EngagementType,
    ErpPartner,
    Invoice,
    Order,
    SourceChange,
    SourceKind,
    SurveyInfo,
    SurveyResponse,
    Ticket,
)

__all__ = [
    "BadResponseError",
    "Capability",
    "CircuitOpenError",
    "Connector",
    "ConnectorError",
    "ConnectorKind",
    "CrmConnector",
    "ErasableConnector",
    "ErpConnector",
    "RateLimitedError",
    "RequestRejectedError",
    "SourceDownError",
    "SourceHealth",
    "SourceStatus",
    "SourceTimeoutError",
    "SurveyConnector",
    "UnauthorizedError",
]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """The result of a health probe: never raised, always reported."""

    system: str
    status: SourceStatus
    latency_ms: float
    checked_at: datetime
    detail: str | None = None


@runtime_checkable
class Connector(Protocol):
    """What every connector offers, whatever kind of system it talks to."""

    system: str  # the configured name
    kind: ConnectorKind
    capabilities: frozenset[Capability]
    serves: tuple[SourceKind, ...]  # the kinds of data it serves, lightest first

    async def health(self) -> SourceHealth:
        """Probe the source with one cheap authenticated call; never raises."""
        ...

    def iter_changes(self, since: datetime) -> AsyncIterator[SourceChange]:
        """Records changed at or after `since`, oldest change first (for incremental sync)."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP pool."""
        ...


@runtime_checkable
class ErpConnector(Connector, Protocol):
    """An ERP: customers with addresses and payment terms, their orders and invoices."""

    async def fetch_partners(self, ids: Sequence[str]) -> dict[str, ErpPartner]:
        """Customers by external id."""
        ...

    async def fetch_orders(self, customer_ids: Sequence[str]) -> dict[str, list[Order]]:
        """Orders (newest first, with lines) by customer external id."""
        ...

    async def fetch_invoices(self, customer_ids: Sequence[str]) -> dict[str, list[Invoice]]:
        """Invoices (newest first) by customer external id."""
        ...


@runtime_checkable
class CrmConnector(Connector, Protocol):
    """A CRM: contacts, their tickets and logged engagements; search and GDPR erasure."""

    async def fetch_contacts(self, ids: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by CRM id."""
        ...

    async def fetch_contacts_by_email(self, emails: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by (lower-cased) email address."""
        ...

    async def search_contacts(self, query: str, *, limit: int = 10) -> list[CrmContact]:
        """Contacts whose searchable properties match `query` (name, email, phone...)."""
        ...

    async def fetch_tickets(self, contact_ids: Sequence[str]) -> dict[str, list[Ticket]]:
        """Tickets (newest first) by contact id."""
        ...

    async def fetch_engagements(
        self, contact_ids: Sequence[str], types: Sequence[EngagementType] | None = None
    ) -> dict[str, list[Engagement]]:
        """Calls, emails, notes and meetings (newest first) by contact id."""
        ...

    async def erase_contact(self, contact_id: str) -> bool:
        """GDPR-delete a contact; False if the CRM did not know it. Never retried."""
        ...


@runtime_checkable
class SurveyConnector(Connector, Protocol):
    """A survey tool: surveys and responses with NPS / CSAT / CES resolved by configuration."""

    async def list_surveys(self) -> list[SurveyInfo]:
        """The surveys of the account."""
        ...

    async def fetch_responses(self, contact_ids: Sequence[str]) -> dict[str, list[SurveyResponse]]:
        """Responses (newest first) by the survey tool's contact id."""
        ...


@runtime_checkable
class ErasableConnector(Connector, Protocol):
    """A system that can erase a person through its API (with `Capability.ERASURE`)."""

    async def erase_subject(self, external_id: str) -> bool:
        """Erase (delete, or irreversibly anonymise) the person behind `external_id` and what
        the system holds about them; False if the system did not know them. Safe to call again
        after a failure or a success."""
        ...
