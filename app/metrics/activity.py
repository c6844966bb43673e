"""What the calculators read about one customer: orders, survey answers, tickets, engagement.

All datetimes must be timezone-aware (comparisons between naive and aware datetimes fail).
Amounts are in each order's own currency; `MetricParams` says how to convert them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SurveyKind(StrEnum):
    """The survey question an answer belongs to; each has its own scale."""

    NPS = "nps"
    CSAT = "csat"
    CES = "ces"


SCALES: dict[SurveyKind, tuple[int, int]] = {
    SurveyKind.NPS: (0, 10),
    SurveyKind.CSAT: (1, 5),
    SurveyKind.CES: (1, 7),
}


class TicketStatus(StrEnum):
    """A support ticket's status as the source reports it."""

    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class EmailEventKind(StrEnum):
    """What happened to a marketing or service email."""

    SENT = "sent"
    OPEN = "open"
    CLICK = "click"


@dataclass(frozen=True, slots=True)
class Order:
    """A sale; `refunded_amount` is everything refunded on it so far (no refund dates upstream)."""

    id: str
    placed_at: datetime
    net_amount: float
    refunded_amount: float = 0.0
    currency: str = "EUR"
    product_categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One answer to an NPS (0-10), CSAT (1-5) or CES (1-7) question."""

    kind: SurveyKind
    score: int
    answered_at: datetime

    def __post_init__(self) -> None:
        low, high = SCALES[self.kind]
        if not low <= self.score <= high:
            raise ValueError(f"{self.kind} score {self.score} is outside {low}-{high}")


@dataclass(frozen=True, slots=True)
class Ticket:
    """A support ticket; complaints feed churn risk, every ticket feeds servicing cost."""

    opened_at: datetime
    closed_at: datetime | None = None
    status: TicketStatus = TicketStatus.OPEN
    is_complaint: bool = False

    def is_open_at(self, as_of: datetime) -> bool:
        """Whether the ticket was open at `as_of`, trusting `closed_at` over `status`."""
        if self.opened_at > as_of:
            return False
        if self.closed_at is not None:
            return self.closed_at > as_of
        return self.status is not TicketStatus.CLOSED


@dataclass(frozen=True, slots=True)
class EmailEvent:
    """One email sent to, opened or clicked by the customer."""

    kind: EmailEventKind
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Interaction:
    """A contact initiated by or with the customer (call, chat, store visit, note)."""

    occurred_at: datetime
    channel: str = "other"


@dataclass(frozen=True, slots=True)
class CustomerActivity:
    """Everything one customer did that the metrics read; order of each list does not matter."""

    orders: tuple[Order, ...] = ()
    answers: tuple[SurveyAnswer, ...] = ()
    tickets: tuple[Ticket, ...] = ()
    email_events: tuple[EmailEvent, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    unsubscribed: bool = False
