"""Typed source records: what connectors return, in the gateway's words, not the vendor's.

Frozen dataclasses, one per kind of upstream object. Each carries its `system` and
`external_id` (always a string, whatever the vendor uses) so lineage survives any mapping.
Values a source does not have are None; nothing here is a GraphQL or ORM type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ConnectorKind(StrEnum):
    """What kind of system a connector talks to."""

    ERP = "erp"
    CRM = "crm"
    SURVEY = "survey"


class SourceKind(StrEnum):
    """One kind of upstream data a system can serve; its value is part of the cache key."""

    ERP_PARTNER = "partner"
    ERP_ORDERS = "orders"
    ERP_INVOICES = "invoices"
    CRM_CONTACT = "contact"
    CRM_TICKETS = "tickets"
    CRM_ENGAGEMENTS = "engagements"
    SURVEY_RESPONSES = "responses"


class Capability(StrEnum):
    """What a connector can do; callers check before asking."""

    PROFILES = "profiles"
    ORDERS = "orders"
    INVOICES = "invoices"
    TICKETS = "tickets"
    ENGAGEMENTS = "engagements"
    SURVEY_RESPONSES = "survey_responses"
    SEARCH = "search"
    LOOKUP_BY_EMAIL = "lookup_by_email"
    ERASURE = "erasure"
    CHANGES = "changes"


class PaymentTerms(StrEnum):
    """Whether a customer pays before delivery or is invoiced with a credit period."""

    PREPAY = "prepay"
    POSTPAY = "postpay"


class EngagementType(StrEnum):
    """The kinds of logged interactions a CRM holds."""

    CALL = "call"
    EMAIL = "email"
    NOTE = "note"
    MEETING = "meeting"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """An address as a source holds it; `kind` is "billing", "shipping" or "home"."""

    kind: str
    street: str | None
    city: str | None
    postcode: str | None
    region: str | None
    country: str | None  # ISO 3166 alpha-2


@dataclass(frozen=True, slots=True)
class ErpPartner:
    """A customer (person or company) in the ERP, with its billing and shipping addresses."""

    system: str
    external_id: str
    name: str
    is_company: bool
    contact_name: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    addresses: tuple[PostalAddress, ...]
    language: str | None
    reference: str | None  # the ERP's own customer reference (loyalty id here)
    payment_terms: PaymentTerms | None
    payment_terms_label: str | None
    is_customer: bool
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product as an order line refers to it."""

    external_id: str
    name: str
    sku: str | None
    category: str | None  # full category path, e.g. "All / Saleable / Audio"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order."""

    external_id: str
    product: ProductRef
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    subtotal: Decimal  # before tax
    total: Decimal  # with tax


@dataclass(frozen=True, slots=True)
class Order:
    """A sale order and its lines."""

    system: str
    external_id: str
    customer_external_id: str
    number: str
    state: str  # the ERP's own state: "draft", "sent", "sale", "cancel"
    ordered_at: datetime
    currency: str | None
    amount_untaxed: Decimal
    amount_tax: Decimal
    amount_total: Decimal
    invoice_status: str | None
    lines: tuple[OrderLine, ...]
    updated_at: datetime | None
    utm_source: str | None = None  # where the order came from (Odoo utm.source)
    utm_campaign: str | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    """A customer invoice (or refund) with what is still due."""

    system: str
    external_id: str
    customer_external_id: str
    number: str
    move_type: str  # "out_invoice" | "out_refund"
    state: str
    payment_state: str | None
    invoice_date: date | None
    due_date: date | None
    currency: str | None
    amount_total: Decimal
    amount_due: Decimal
    origin: str | None  # the order number it bills
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class CrmContact:
    """A CRM contact with its lifecycle stage, owner and email engagement counters."""

    system: str
    external_id: str
    given_name: str | None
    family_name: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    company: str | None
    address: PostalAddress | None
    lifecycle_stage: str | None  # the CRM's own value: "lead", "customer", ...
    owner_id: str | None
    birth_date: date | None
    emails_delivered: int
    email_opens: int
    email_clicks: int
    last_email_open_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    archived: bool = False
    original_source: str | None = None  # how the contact first came: "PAID_SEARCH", ...
    original_source_detail: str | None = None  # the source's drill-down (a campaign)
    became_customer_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A support ticket associated with a contact."""

    system: str
    external_id: str
    contact_external_id: str
    subject: str
    content: str | None
    pipeline_stage: str | None
    is_closed: bool
    priority: str | None
    category: str | None
    created_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Engagement:
    """A call, email, note or meeting logged against a contact."""

    system: str
    external_id: str
    contact_external_id: str
    type: EngagementType
    occurred_at: datetime | None
    title: str | None
    body: str | None
    direction: str | None
    status: str | None
    duration_ms: int | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class SurveyResponse:
    """One completed survey response, with its NPS / CSAT / CES answers resolved to numbers."""

    system: str
    external_id: str
    survey_id: str
    survey_title: str | None
    collector_id: str | None
    contact_external_id: str | None  # the survey tool's contact, when invited by email
    respondent_email: str | None
    customer_id: str | None  # the gateway's customer id, when the invitation carried it
    submitted_at: datetime | None
    updated_at: datetime | None
    nps: int | None  # 0-10
    csat: int | None  # 1-5
    ces: int | None  # 1-7
    comment: str | None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyInfo:
    """A survey of the account."""

    system: str
    external_id: str
    title: str
    response_count: int | None = None


@dataclass(frozen=True, slots=True)
class SourceChange:
    """One changed upstream record, yielded by `iter_changes` in change order."""

    system: str
    entity: str  # "partner" | "contact" | "survey_response"
    external_id: str
    changed_at: datetime | None
    record: ErpPartner | CrmContact | SurveyResponse
