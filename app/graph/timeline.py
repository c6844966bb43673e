"""One timeline per customer, merged across the master store and every source, newest first.

Entries are ordered by (time, source, id), descending. Local interactions sort under the
source name "gateway" and their row id, so a cursor (time, source, id) translates exactly
into the store's (time, row id) keyset; upstream entries are held in memory and filtered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.errors import InvalidInputError
from app.graph.kinds import SourceKind
from app.graph.reports import CustomerSourceData, KindData
from app.pagination import decode_cursor, encode_cursor, parse_cursor_time
from app.store.models import Interaction
from connectors.records import Engagement, EngagementType, Order, SurveyResponse, Ticket

LOCAL_SOURCE = "gateway"
ENGAGEMENT_CHANNELS: dict[EngagementType, str] = {
    EngagementType.CALL: "phone",
    EngagementType.EMAIL: "email",
    EngagementType.MEETING: "meeting",
    EngagementType.NOTE: "note",
}
# Which channels each upstream kind contributes: a `channels` filter skips the others' calls.
KIND_CHANNELS: dict[SourceKind, frozenset[str]] = {
    SourceKind.CRM_ENGAGEMENTS: frozenset(ENGAGEMENT_CHANNELS.values()),
    SourceKind.CRM_TICKETS: frozenset({"ticket"}),
    SourceKind.ERP_ORDERS: frozenset({"order"}),
    SourceKind.SURVEY_RESPONSES: frozenset({"survey"}),
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One interaction, local or upstream, in the gateway's words."""

    source: str
    entry_id: str
    channel: str
    kind: str
    summary: str
    occurred_at: datetime
    details: dict[str, Any] | None = None
    local_id: int | None = None

    @property
    def global_key(self) -> str:
        """A stable id of an upstream entry: source, kind and the source's own id."""
        return f"{self.source}:{self.kind}:{self.entry_id}"

    @property
    def sort_key(self) -> tuple[datetime, str, str]:
        """Position in the timeline (compared descending)."""
        if self.local_id is not None:
            return (self.occurred_at, LOCAL_SOURCE, f"{self.local_id:020d}")
        padded = self.entry_id.rjust(20, "0") if self.entry_id.isdigit() else self.entry_id
        return (self.occurred_at, self.source, f"{self.kind}:{padded}")


@dataclass(frozen=True, slots=True)
class TimelinePosition:
    """A decoded cursor: entries strictly older than this sort key come next."""

    key: tuple[datetime, str, str]

    @classmethod
    def from_cursor(cls, cursor: str) -> TimelinePosition:
        """Decode an `after` cursor; anything malformed is `BAD_USER_INPUT`."""
        at, source, sort_id = decode_cursor(cursor, 3)
        if not isinstance(source, str) or not isinstance(sort_id, str):
            raise InvalidInputError("malformed cursor", argument="after")
        if source == LOCAL_SOURCE and not sort_id.isdigit():
            raise InvalidInputError("malformed cursor", argument="after")
        return cls((parse_cursor_time(at), source, sort_id))

    def local_keyset(self) -> tuple[datetime, int]:
        """The store's (time, row id) keyset selecting the local rows after this position."""
        at, source, sort_id = self.key
        if source == LOCAL_SOURCE:
            return (at, int(sort_id))
        if source > LOCAL_SOURCE:
            # Local rows at the same instant sort below this entry: keep all of them.
            return (at + timedelta(microseconds=1), 0)
        return (at, 0)


def cursor_of(entry: TimelineEntry) -> str:
    """The opaque cursor of an entry."""
    return encode_cursor(*entry.sort_key)


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """Page size, position and filters of a timeline request."""

    first: int
    after: TimelinePosition | None = None
    channels: tuple[str, ...] | None = None
    since: datetime | None = None

    def kinds(self) -> list[SourceKind]:
        """The upstream kinds that can contribute entries under the channel filter."""
        wanted = set(self.channels) if self.channels is not None else None
        return [k for k, chans in KIND_CHANNELS.items() if wanted is None or chans & wanted]

    def keeps(self, entry: TimelineEntry) -> bool:
        """True when `entry` passes the filters and comes after the position."""
        if self.channels is not None and entry.channel not in self.channels:
            return False
        if self.since is not None and entry.occurred_at < self.since:
            return False
        return self.after is None or entry.sort_key < self.after.key


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """One page of the merged timeline, and the sources that could not contribute."""

    entries: list[TimelineEntry]
    cursors: list[str]
    has_next_page: bool
    failed: list[CustomerSourceData] = field(default_factory=list)


def from_interaction(row: Interaction) -> TimelineEntry:
    assert row.id is not None
    return TimelineEntry(
        source=row.source,
        entry_id=str(row.id),
        channel=row.channel,
        kind=row.kind,
        summary=row.summary,
        occurred_at=row.occurred_at,
        details=row.details,
        local_id=row.id,
    )


def from_order(order: Order) -> TimelineEntry:
    total = f"{order.amount_total} {order.currency or ''}".strip()
    return TimelineEntry(
        source=order.system,
        entry_id=order.external_id,
        channel="order",
        kind="order",
        summary=f"Order {order.number}: {total}",
        occurred_at=order.ordered_at,
        details={
            "number": order.number,
            "state": order.state,
            "amountTotal": str(order.amount_total),
        },
    )


def from_ticket(ticket: Ticket) -> TimelineEntry | None:
    if ticket.created_at is None:
        return None
    return TimelineEntry(
        source=ticket.system,
        entry_id=ticket.external_id,
        channel="ticket",
        kind="ticket",
        summary=ticket.subject,
        occurred_at=ticket.created_at,
        details={"status": "closed" if ticket.is_closed else "open", "priority": ticket.priority},
    )


def from_engagement(engagement: Engagement) -> TimelineEntry | None:
    if engagement.occurred_at is None:
        return None
    return TimelineEntry(
        source=engagement.system,
        entry_id=engagement.external_id,
        channel=ENGAGEMENT_CHANNELS[engagement.type],
        kind=engagement.type.value,
        summary=engagement.title or engagement.body or engagement.type.value,
        occurred_at=engagement.occurred_at,
        details={"direction": engagement.direction, "status": engagement.status},
    )


def from_survey_response(response: SurveyResponse) -> TimelineEntry | None:
    if response.submitted_at is None:
        return None
    scores = {"nps": response.nps, "csat": response.csat, "ces": response.ces}
    given = ", ".join(
        f"{name.upper()} {value}" for name, value in scores.items() if value is not None
    )
    title = response.survey_title or "Survey"
    return TimelineEntry(
        source=response.system,
        entry_id=response.external_id,
        channel="survey",
        kind="survey_response",
        summary=f"{title}: {given}" if given else title,
        occurred_at=response.submitted_at,
        details={"surveyId": response.survey_id, **scores},
    )


# Each converter takes one record of its kind (`KindData.value` is a list of them).
_CONVERTERS: dict[SourceKind, Callable[[Any], TimelineEntry | None]] = {
    SourceKind.ERP_ORDERS: from_order,
    SourceKind.CRM_TICKETS: from_ticket,
    SourceKind.CRM_ENGAGEMENTS: from_engagement,
    SourceKind.SURVEY_RESPONSES: from_survey_response,
}


def upstream_entries(
    kind: SourceKind, data: KindData | CustomerSourceData
) -> Iterable[TimelineEntry]:
    """The timeline entries of one kind of a customer's source data (what answered of it)."""
    if data.failed or not data.value:
        return
    convert = _CONVERTERS[kind]
    for record in data.value:
        entry = convert(record)
        if entry is not None:
            yield entry


def merge_timeline(
    query: TimelineQuery,
    local_rows: Sequence[Interaction],
    upstream: dict[SourceKind, KindData],
) -> TimelinePage:
    """The page `query` asks for. `local_rows` are the store's next `first + 1` local rows."""
    entries = [from_interaction(row) for row in local_rows]
    for kind, data in upstream.items():
        entries.extend(entry for entry in upstream_entries(kind, data) if query.keeps(entry))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    page = entries[: query.first]
    # One failure per system, however many of its kinds were asked for.
    failed = list(
        {part.system: part for data in upstream.values() for part in data.failed_parts}.values()
    )
    return TimelinePage(
        entries=page,
        cursors=[cursor_of(entry) for entry in page],
        has_next_page=len(entries) > query.first,
        failed=failed,
    )
