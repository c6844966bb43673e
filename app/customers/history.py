"""Reading the golden record's change log: pages of changes, values no longer current (with
the time each was valid), and the whole record as it stood at a moment.

The record as of a time `t` is rebuilt from the current rows and the log: a single-valued
field takes the new value of its last entry at or before `t` (or, when its first entry is
later, that entry's old value); a contact point or identity is there if one of its validity
spans, from ADDED/LINKED to REMOVED/UNLINKED, covers `t`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.customers.change_log import (
    CONTACT_FIELDS,
    HISTORY_FIELDS,
    IDENTITY_FIELD,
    PREFERENCE_FIELDS,
    PREFERENCE_PREFIX,
    PROFILE_FIELDS,
    ChangeAction,
    identity_item,
    point_item,
)
from app.errors import InvalidInputError
from app.pagination import Page, decode_time_id_cursor, encode_cursor
from app.store.db import Database
from app.store.models import (
    ConsentEvent,
    ContactPoint,
    Customer,
    CustomerChange,
    Preference,
    SourceLink,
)
from app.store.repositories import changes as repo
from app.store.types import utcnow


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


FIELD_BY_API_NAME: dict[str, str] = {_camel(name): name for name in sorted(HISTORY_FIELDS)}
"""The change log's field names as the API spells them (`givenName`, `preferences.topics`)."""
API_NAME_BY_FIELD: dict[str, str] = {name: api for api, name in FIELD_BY_API_NAME.items()}


def stored_fields(names: Sequence[str] | None) -> list[str] | None:
    """The stored names of the fields asked for; an unknown one is `BAD_USER_INPUT`."""
    if names is None:
        return None
    unknown = sorted({name for name in names if name not in FIELD_BY_API_NAME})
    if unknown:
        raise InvalidInputError(
            "unknown history field", argument="fields", known=sorted(FIELD_BY_API_NAME)
        )
    return sorted({FIELD_BY_API_NAME[name] for name in names})


def check_range(since: datetime | None, until: datetime | None) -> None:
    """`from` after `to`, or either without a time zone, is `BAD_USER_INPUT`."""
    for name, value in (("from", since), ("to", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInputError(f"`{name}` needs a time zone", argument=name)
    if since is not None and until is not None and since > until:
        raise InvalidInputError("`from` is after `to`", argument="from")


async def history_page(
    db: Database,
    *,
    customer_id: str,
    fields: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: str | None,
) -> Page[CustomerChange]:
    """A page of one customer's changes, newest first (validated arguments, keyset cursor)."""
    wanted = stored_fields(fields)
    check_range(since, until)
    position = decode_time_id_cursor(after) if after is not None else None
    async with db.session() as session:
        rows = await repo.change_page(
            session,
            customer_id=customer_id,
            fields=wanted,
            since=since,
            until=until,
            first=first,
            after=position,
        )
    page = rows[:first]
    return Page(
        items=page,
        cursors=[encode_cursor(row.changed_at, row.id) for row in page],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )


@dataclass(frozen=True, slots=True)
class Span:
    """A contact point or identity, and when it was the customer's (`valid_to` None: now)."""

    row: Any
    valid_from: datetime
    valid_to: datetime | None
    past_id: int | None = None  # the entry that ended it, for a value no longer current

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


def _spans(
    current: dict[str, Any],
    entries: Iterable[CustomerChange],
    *,
    opened: frozenset[str],
    closed: frozenset[str],
    since: datetime,
    build: Any,
    at: datetime | None = None,
) -> list[Span]:
    """Validity spans per item: each opened..closed pair, and the current rows (open); with
    `at`, only those covering it (a past value's row is built only when kept)."""
    by_item: dict[str, list[CustomerChange]] = defaultdict(list)
    for entry in entries:
        if entry.item is not None:
            by_item[entry.item].append(entry)
    spans: list[Span] = []
    for item in sorted(by_item.keys() | current.keys()):
        start: datetime | None = None
        for entry in by_item.get(item, []):
            if entry.action in opened and start is None:
                start = entry.changed_at
            elif entry.action in closed:
                begun = start or since
                if at is None or begun <= at < entry.changed_at:
                    old = build(entry.customer_id, entry.old_value or {})
                    spans.append(Span(old, begun, entry.changed_at, past_id=entry.id))
                start = None
        if item in current:
            row = current[item]
            span = Span(row, start or _started(row) or since, None)
            if at is None or span.covers(at):
                spans.append(span)
    return spans


def _started(row: Any) -> datetime | None:
    return getattr(row, "created_at", None) or getattr(row, "linked_at", None)


_POINT_PARTS = ("label", "street", "address_line2", "city", "postcode", "region", "country")


def _past_point(kind: str) -> Any:
    def build(customer_id: str, value: dict[str, Any]) -> ContactPoint:
        parts: dict[str, Any] = {part: value.get(part) for part in _POINT_PARTS}
        return ContactPoint(
            customer_id=customer_id,
            kind=kind,
            value=value.get("value") or "",
            is_primary=bool(value.get("is_primary")),
            source="history",
            **parts,
        )

    return build


def _past_link(customer_id: str, value: dict[str, Any]) -> SourceLink:
    return SourceLink(
        customer_id=customer_id,
        system=value.get("system") or "",
        external_id=value.get("external_id") or "",
        method=value.get("method") or "manual",
    )


def point_spans(
    customer: Customer,
    points: Sequence[ContactPoint],
    entries: Sequence[CustomerChange],
    kind: str,
    at: datetime | None = None,
) -> list[Span]:
    """Every value of one contact kind the customer had (with `at`: had then)."""
    return _spans(
        {point_item(p.kind, p.value): p for p in points if p.kind == kind},
        (e for e in entries if e.field == kind),
        opened=frozenset({ChangeAction.ADDED.value}),
        closed=frozenset({ChangeAction.REMOVED.value}),
        since=customer.created_at,
        build=_past_point(kind),
        at=at,
    )


def link_spans(
    customer: Customer,
    links: Sequence[SourceLink],
    entries: Sequence[CustomerChange],
    at: datetime | None = None,
) -> list[Span]:
    """Every source identity the customer had (with `at`: had then)."""
    return _spans(
        {identity_item(link.system, link.external_id): link for link in links},
        (e for e in entries if e.field == IDENTITY_FIELD),
        opened=frozenset({ChangeAction.LINKED.value}),
        closed=frozenset({ChangeAction.UNLINKED.value}),
        since=customer.created_at,
        build=_past_link,
        at=at,
    )


def _value_at(current: Any, entries: Sequence[CustomerChange], at: datetime) -> Any:
    before = [e for e in entries if e.changed_at <= at]
    if before:
        return before[-1].new_value
    if entries:
        return entries[0].old_value
    return current


def existed_since(customer: Customer, entries: Sequence[CustomerChange]) -> datetime:
    """When the customer's record begins: its creation, or an earlier change a source dated."""
    return min([customer.created_at, *(e.changed_at for e in entries[:1])])


@dataclass(frozen=True, slots=True)
class RecordAsOf:
    """A customer's record as it stood at `at`."""

    customer_id: str
    at: datetime
    profile: dict[str, Any]
    points: list[ContactPoint]
    links: list[SourceLink]
    consents: list[ConsentEvent]
    preferences: dict[str, Any] | None
    merged_into: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def check_as_of(customer: Customer, entries: Sequence[CustomerChange], at: datetime) -> None:
    """A moment in the future, or before the customer existed, is `BAD_USER_INPUT`."""
    if at.tzinfo is None:
        raise InvalidInputError("`at` needs a time zone", argument="at")
    if at > utcnow():
        raise InvalidInputError("`at` is in the future", argument="at")
    if at < existed_since(customer, entries):
        raise InvalidInputError("the customer did not exist yet at `at`", argument="at")


def record_as_of(
    customer: Customer,
    *,
    points: Sequence[ContactPoint],
    links: Sequence[SourceLink],
    preference: Preference | None,
    consent_history: Sequence[ConsentEvent],
    entries: Sequence[CustomerChange],
    at: datetime,
) -> RecordAsOf:
    """The record at `at` (validated with `check_as_of` first)."""
    by_field: dict[str, list[CustomerChange]] = defaultdict(list)
    for entry in entries:
        by_field[entry.field].append(entry)
    profile = {
        name: _value_at(getattr(customer, name), by_field.get(name, []), at)
        for name in PROFILE_FIELDS
    }
    if isinstance(profile["birth_date"], str):
        profile["birth_date"] = date.fromisoformat(profile["birth_date"])
    kept = [
        span.row
        for kind in CONTACT_FIELDS
        for span in point_spans(customer, points, by_field.get(kind, []), kind, at)
    ]
    identities = [span.row for span in link_spans(customer, links, by_field[IDENTITY_FIELD], at)]
    prefs = {
        name: _value_at(
            getattr(preference, name) if preference else None,
            by_field.get(PREFERENCE_PREFIX + name, []),
            at,
        )
        for name in PREFERENCE_FIELDS
    }
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in sorted(consent_history, key=lambda e: (e.captured_at, e.id or 0)):
        if event.captured_at <= at:
            latest[(event.purpose, event.channel)] = event
    return RecordAsOf(
        customer_id=customer.id,
        at=at,
        profile=profile,
        points=kept,
        links=identities,
        consents=[latest[key] for key in sorted(latest)],
        preferences=prefs if any(prefs.values()) else None,
    )
