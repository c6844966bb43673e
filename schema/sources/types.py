"""GraphQL types of data that lives in the source systems (ERP, CRM, survey tool)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from app.graph import SourceReport
from app.privacy.masking import PiiKind
from connectors import records
from schema.connections import Edge
from schema.privacy.pii import pii
from schema.sources.enums import SourceStatus, TicketStatus


@strawberry.type(name="SourceReport", description="How one source system answered.")
class SourceReportType:
    system: str = strawberry.field(description="The source system, e.g. odoo, hubspot.")
    status: SourceStatus
    latency_ms: float | None = strawberry.field(
        description="How long the source took for this request (0 when served from cache)."
    )
    fetched_at: datetime | None = strawberry.field(
        description="When the data served was fetched from the source (older when stale)."
    )

    @classmethod
    def from_report(cls, report: SourceReport) -> SourceReportType:
        return cls(
            system=report.system,
            status=SourceStatus(report.status.value),
            latency_ms=report.latency_ms,
            fetched_at=report.fetched_at,
        )


@strawberry.type(description="A line of an ERP order.")
class OrderLine:
    product_name: str
    sku: str | None
    category: str | None = strawberry.field(description="Category path, e.g. All / Audio.")
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    subtotal: Decimal = strawberry.field(description="The line amount before tax.")
    total: Decimal = strawberry.field(description="The line amount with tax.")

    @classmethod
    def from_record(cls, line: records.OrderLine) -> OrderLine:
        return cls(
            product_name=line.product.name,
            sku=line.product.sku,
            category=line.product.category,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            subtotal=line.subtotal,
            total=line.total,
        )


@strawberry.type(description="A sale order in the ERP.")
class Order:
    system: str
    external_id: str = strawberry.field(description="The order's id in the ERP.")
    number: str
    state: str = strawberry.field(description="The ERP's own state: draft, sent, sale, cancel.")
    ordered_at: datetime
    currency: str | None
    amount_untaxed: Decimal
    amount_tax: Decimal
    amount_total: Decimal
    invoice_status: str | None
    lines: list[OrderLine]

    @classmethod
    def from_record(cls, order: records.Order) -> Order:
        return cls(
            system=order.system,
            external_id=order.external_id,
            number=order.number,
            state=order.state,
            ordered_at=order.ordered_at,
            currency=order.currency,
            amount_untaxed=order.amount_untaxed,
            amount_tax=order.amount_tax,
            amount_total=order.amount_total,
            invoice_status=order.invoice_status,
            lines=[OrderLine.from_record(line) for line in order.lines],
        )


@strawberry.type(description="A page of a customer's ERP orders, newest first.")
class OrderConnection:
    edges: list[Edge[Order]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="How many orders the customer has.")


@strawberry.type(description="A customer invoice (or refund) in the ERP.")
class Invoice:
    system: str
    external_id: str
    number: str
    move_type: str = strawberry.field(description="out_invoice or out_refund.")
    state: str
    payment_state: str | None
    invoice_date: date | None
    due_date: date | None
    currency: str | None
    amount_total: Decimal
    amount_due: Decimal = strawberry.field(description="What is still to be paid.")
    origin: str | None = strawberry.field(description="The order number the invoice bills.")

    @classmethod
    def from_record(cls, invoice: records.Invoice) -> Invoice:
        return cls(
            system=invoice.system,
            external_id=invoice.external_id,
            number=invoice.number,
            move_type=invoice.move_type,
            state=invoice.state,
            payment_state=invoice.payment_state,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            currency=invoice.currency,
            amount_total=invoice.amount_total,
            amount_due=invoice.amount_due,
            origin=invoice.origin,
        )


@strawberry.type(description="How the customer engages with our marketing emails.")
class EmailEngagement:
    delivered: int
    opens: int
    clicks: int
    last_open_at: datetime | None


@strawberry.type(description="What the CRM knows of the customer.")
class CrmProfile:
    customer_id: strawberry.Private[str]
    system: str
    external_id: str = strawberry.field(description="The contact's id in the CRM.")
    lifecycle_stage: str | None = strawberry.field(
        description="The CRM's own lifecycle stage, e.g. lead or customer."
    )
    owner_id: str | None = strawberry.field(description="The CRM user who owns the contact.")
    email: str | None = pii(PiiKind.EMAIL, "The contact's email address in the CRM.")
    email_engagement: EmailEngagement
    updated_at: datetime | None

    @classmethod
    def from_record(cls, customer_id: str, contact: records.CrmContact) -> CrmProfile:
        return cls(
            customer_id=customer_id,
            system=contact.system,
            external_id=contact.external_id,
            lifecycle_stage=contact.lifecycle_stage,
            owner_id=contact.owner_id,
            email=contact.email,
            email_engagement=EmailEngagement(
                delivered=contact.emails_delivered,
                opens=contact.email_opens,
                clicks=contact.email_clicks,
                last_open_at=contact.last_email_open_at,
            ),
            updated_at=contact.updated_at,
        )


@strawberry.type(description="A support ticket in the CRM.")
class Ticket:
    customer_id: strawberry.Private[str]
    system: str
    external_id: str
    subject: str = pii(PiiKind.FREE_TEXT, "The ticket's subject, as written.")
    content: str | None = pii(PiiKind.FREE_TEXT, "The ticket's text (may hold personal data).")
    status: TicketStatus
    pipeline_stage: str | None
    priority: str | None
    category: str | None
    created_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def from_record(cls, customer_id: str, ticket: records.Ticket) -> Ticket:
        return cls(
            customer_id=customer_id,
            system=ticket.system,
            external_id=ticket.external_id,
            subject=ticket.subject,
            content=ticket.content,
            status=TicketStatus.CLOSED if ticket.is_closed else TicketStatus.OPEN,
            pipeline_stage=ticket.pipeline_stage,
            priority=ticket.priority,
            category=ticket.category,
            created_at=ticket.created_at,
            closed_at=ticket.closed_at,
        )


@strawberry.type(description="A completed survey response, with its scores.")
class SurveyResponse:
    customer_id: strawberry.Private[str]
    system: str
    external_id: str
    survey_id: str
    survey_title: str | None
    submitted_at: datetime | None
    nps: int | None = strawberry.field(description="Net Promoter answer, 0 to 10.")
    csat: int | None = strawberry.field(description="Satisfaction answer, 1 to 5.")
    ces: int | None = strawberry.field(description="Customer effort answer, 1 to 7.")
    comment: str | None = pii(PiiKind.FREE_TEXT, "The respondent's comment, as written.")

    @classmethod
    def from_record(cls, customer_id: str, response: records.SurveyResponse) -> SurveyResponse:
        return cls(
            customer_id=customer_id,
            system=response.system,
            external_id=response.external_id,
            survey_id=response.survey_id,
            survey_title=response.survey_title,
            submitted_at=response.submitted_at,
            nps=response.nps,
            csat=response.csat,
            ces=response.ces,
            comment=response.comment,
        )


@strawberry.type(description="A page of a customer's survey responses, newest first.")
class SurveyResponseConnection:
    edges: list[Edge[SurveyResponse]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="How many responses the customer gave.")
