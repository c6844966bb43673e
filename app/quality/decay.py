"""Contact-data decay, measured from the change log: how much of each kind of contact data is
stale (neither verified nor changed within `C360_STALE_CONTACT_DAYS`), how much of it changes
in a year, and which customers' contact data is most likely out of date.

The yearly change rate of a kind is the share of the live customers known a year ago whose
contact data of that kind changed (added, changed or removed; merges do not count) during the
year. The likelihood that a stale value is out of date after `t` years unconfirmed is
`1 - (1 - rate) ** t`, combined over a customer's stale kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.errors import InvalidInputError
from app.pagination import Page, decode_cursor, encode_cursor, parse_cursor_time
from app.quality.report import Ratio
from app.settings import Settings
from app.store.db import Database
from app.store.repositories import contact_decay as repo
from app.store.types import utcnow

YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class ContactDecay:
    """One kind of contact data: its stale share and its observed yearly change rate."""

    kind: str
    stale: Ratio
    yearly_change_rate: float
    stale_after_days: int


async def contact_decay(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> list[ContactDecay]:
    """Decay per contact kind over live customers (aggregates only)."""
    now = now or utcnow()
    async with db.session() as session:
        counts = await repo.stale_counts(
            session, confirmed_before=now - timedelta(days=settings.stale_contact_days)
        )
        changed, population = await repo.changed_customers(session, since=now - YEAR, until=now)
    return [
        ContactDecay(
            kind=kind,
            stale=Ratio(*counts.get(kind, (0, 0))),
            yearly_change_rate=Ratio(changed.get(kind, 0), population).share,
            stale_after_days=settings.stale_contact_days,
        )
        for kind in repo.CONTACT_KINDS
    ]


def outdated_likelihood(
    oldest: dict[str, datetime], rates: dict[str, float], now: datetime
) -> float:
    """The chance that at least one of these stale kinds has changed since it was confirmed."""
    unchanged = 1.0
    for kind, confirmed in oldest.items():
        years = max((now - confirmed).total_seconds(), 0.0) / YEAR.total_seconds()
        unchanged *= math.pow(1.0 - min(rates.get(kind, 0.0), 1.0), years)
    return round(1.0 - unchanged, 4)


async def stale_fields(
    db: Database, settings: Settings, customer_ids: list[str], *, now: datetime | None = None
) -> dict[str, list[str]]:
    """Per customer, its contact kinds with a value neither verified nor changed lately."""
    now = now or utcnow()
    async with db.session() as session:
        found = await repo.stale_kinds_by_customer(
            session,
            customer_ids=customer_ids,
            confirmed_before=now - timedelta(days=settings.stale_contact_days),
        )
    return {cid: sorted(found.get(cid, {})) for cid in customer_ids}


@dataclass(frozen=True, slots=True)
class StaleCustomer:
    """A customer to re-verify: its stale kinds, since when, and how likely it is outdated."""

    customer_id: str
    stale_fields: list[str]
    oldest_confirmed_at: datetime
    outdated_likelihood: float


async def stale_customers(
    db: Database, settings: Settings, *, first: int, after: str | None
) -> Page[StaleCustomer]:
    """Live customers with stale contact data, the longest unconfirmed first."""
    position = None
    if after is not None:
        at, customer_id = decode_cursor(after, 2)
        if not isinstance(customer_id, str):
            raise InvalidInputError("malformed cursor", argument="after")
        position = (parse_cursor_time(at), customer_id)
    now = utcnow()
    cutoff = now - timedelta(days=settings.stale_contact_days)
    async with db.session() as session:
        rows = await repo.stalest_customers(
            session, confirmed_before=cutoff, first=first, after=position
        )
        page = rows[:first]
        kinds = await repo.stale_kinds_by_customer(
            session, customer_ids=[cid for cid, _ in page], confirmed_before=cutoff
        )
    rates = {d.kind: d.yearly_change_rate for d in await contact_decay(db, settings, now=now)}
    items = [
        StaleCustomer(
            customer_id=cid,
            stale_fields=sorted(kinds.get(cid, {})),
            oldest_confirmed_at=oldest,
            outdated_likelihood=outdated_likelihood(kinds.get(cid, {}), rates, now),
        )
        for cid, oldest in page
    ]
    return Page(
        items=items,
        cursors=[encode_cursor(item.oldest_confirmed_at, item.customer_id) for item in items],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )
