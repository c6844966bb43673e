"""From source records and store rows to the calculators' `CustomerActivity` (no I/O here).

The mapping, documented in docs/metrics.md ("Inputs"):

- ERP orders in state `sale` or `done` are purchases; quotations and cancelled orders are not.
  An order's net amount is its untaxed amount. Refunds (`out_refund` invoices naming the order
  as their origin) are taxed totals, so they are scaled by the order's untaxed/total ratio.
- Survey responses give one answer per NPS / CSAT / CES question they answered.
- CRM tickets: every ticket costs service time; product, billing and shipping issues are
  complaints (general inquiries and feature requests are not).
- Interactions: CRM calls, meetings and notes, and interactions recorded at the gateway. CRM
  email engagement comes as counters without dates, so only its last open is an event.
- Unsubscribed: the customer's marketing consent on email is withdrawn or denied now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.metrics.activity import (
    CustomerActivity,
    EmailEvent,
    EmailEventKind,
    Interaction,
    Order,
    SurveyAnswer,
    SurveyKind,
    Ticket,
    TicketStatus,
)
from connectors import records

PURCHASE_STATES = frozenset({"sale", "done"})
COMPLAINT_CATEGORIES = frozenset({"PRODUCT_ISSUE", "BILLING_ISSUE", "SHIPPING_ISSUE"})
INTERACTION_TYPES = frozenset(
    {records.EngagementType.CALL, records.EngagementType.MEETING, records.EngagementType.NOTE}
)


@dataclass(frozen=True, slots=True)
class LocalInteraction:
    """An interaction recorded at the gateway (a store row, reduced to what metrics read)."""

    occurred_at: datetime
    channel: str


@dataclass(slots=True)
class SourceInputs:
    """One customer's raw inputs, gathered from every source it is linked to."""

    orders: Sequence[records.Order] = ()
    invoices: Sequence[records.Invoice] = ()
    tickets: Sequence[records.Ticket] = ()
    engagements: Sequence[records.Engagement] = ()
    contact: records.CrmContact | None = None
    responses: Sequence[records.SurveyResponse] = ()
    interactions: Sequence[LocalInteraction] = ()
    unsubscribed: bool = False


def category_name(path: str | None) -> str | None:
    """The leaf of a product category path ("All / Saleable / Audio" -> "Audio")."""
    if not path:
        return None
    return path.rsplit("/", 1)[-1].strip() or None


def _refunds_by_order(invoices: Iterable[records.Invoice]) -> dict[str, Decimal]:
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        if invoice.move_type == "out_refund" and invoice.state != "cancel" and invoice.origin:
            refunds[invoice.origin] += invoice.amount_total
    return refunds


def _order(order: records.Order, refunded_total: Decimal, currency: str) -> Order:
    refunded = Decimal(0)
    if refunded_total and order.amount_total:
        refunded = refunded_total * order.amount_untaxed / order.amount_total
    categories = tuple(
        dict.fromkeys(
            name for line in order.lines if (name := category_name(line.product.category))
        )
    )
    return Order(
        id=order.external_id,
        placed_at=order.ordered_at,
        net_amount=float(order.amount_untaxed),
        refunded_amount=float(refunded),
        currency=order.currency or currency,
        product_categories=categories,
    )


def _answers(responses: Iterable[records.SurveyResponse]) -> list[SurveyAnswer]:
    answers: list[SurveyAnswer] = []
    for response in responses:
        at = response.submitted_at
        if at is None:
            continue
        for kind, score in (
            (SurveyKind.NPS, response.nps),
            (SurveyKind.CSAT, response.csat),
            (SurveyKind.CES, response.ces),
        ):
            if score is not None:
                answers.append(SurveyAnswer(kind, score, at))
    return answers


def _ticket(ticket: records.Ticket) -> Ticket | None:
    if ticket.created_at is None:
        return None
    return Ticket(
        opened_at=ticket.created_at,
        closed_at=ticket.closed_at,
        status=TicketStatus.CLOSED if ticket.is_closed else TicketStatus.OPEN,
        is_complaint=(ticket.category or "").upper() in COMPLAINT_CATEGORIES,
    )


def customer_activity(inputs: SourceInputs, *, currency: str = "EUR") -> CustomerActivity:
    """The calculators' view of one customer's inputs."""
    refunds = _refunds_by_order(inputs.invoices)
    orders = tuple(
        _order(order, refunds.get(order.number, Decimal(0)), currency)
        for order in inputs.orders
        if order.state in PURCHASE_STATES
    )
    tickets = tuple(t for t in map(_ticket, inputs.tickets) if t is not None)
    interactions = [
        Interaction(e.occurred_at, e.type.value)
        for e in inputs.engagements
        if e.occurred_at is not None and e.type in INTERACTION_TYPES
    ]
    interactions += [Interaction(i.occurred_at, i.channel) for i in inputs.interactions]
    emails: tuple[EmailEvent, ...] = ()
    contact = inputs.contact
    if contact is not None and contact.last_email_open_at is not None:
        emails = (EmailEvent(EmailEventKind.OPEN, contact.last_email_open_at),)
    return CustomerActivity(
        orders=orders,
        answers=tuple(_answers(inputs.responses)),
        tickets=tickets,
        email_events=emails,
        interactions=tuple(interactions),
        unsubscribed=inputs.unsubscribed,
    )


def top_categories(orders: Iterable[Order], *, limit: int = 3) -> list[str]:
    """Product categories ordered by the customer's kept spend in them, largest first."""
    spend: defaultdict[str, float] = defaultdict(float)
    for order in orders:
        amount = order.net_amount - order.refunded_amount
        if amount <= 0 or not order.product_categories:
            continue
        share = amount / len(order.product_categories)
        for category in order.product_categories:
            spend[category] += share
    return [name for name, _ in sorted(spend.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def top_order_categories(orders: Sequence[records.Order], *, limit: int = 3) -> list[str]:
    """Product categories by the customer's kept spend on these ERP orders, largest first
    (only purchases count, net of refunds: the calculators' view of the orders)."""
    return top_categories(customer_activity(SourceInputs(orders=orders)).orders, limit=limit)
