"""`c360 seed`: write a deterministic demo world into the master store.

People come from the simulators' seeded world (so the master store, the ERP, the CRM and the
survey tool agree on who exists); what only the master store holds (consents, preferences,
locally recorded interactions) is drawn here from a per-person RNG. Metrics are not drawn: they
are computed from the sources like any store's (`simulators.demo_metrics`, run by `c360 seed`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.customers.contact_points import PostalAddress
from app.search.index import refresh_search_keys
from app.store.db import Database
from app.store.models import (
    ConsentEvent,
    ContactPoint,
    Customer,
    CustomerChange,
    Interaction,
    LinkMethod,
    Preference,
    SourceLink,
)
from simulators.demo_spend import seed_acquisitions, seed_spend
from simulators.seeding_history import seeded_history
from simulators.world import Person, World, build_world, person_rng

CHUNK = 500
PURPOSES = ("marketing", "personalization", "analytics", "profiling", "third_party_sharing")
CHANNELS = ("email", "sms", "phone", "post", "push")
TOPICS = ("new_arrivals", "offers", "events", "newsletter", "product_updates", "loyalty")
INTERESTS = ("audio", "computers", "phones", "home", "garden", "sport", "fashion", "books")
INTERACTION_KINDS = (
    ("phone", "support_call", "Called about a delivery"),
    ("phone", "complaint", "Complained about a late refund"),
    ("store", "visit", "Visited the store"),
    ("store", "purchase", "Bought in store"),
    ("chat", "support_chat", "Asked about a warranty"),
    ("email", "note", "Sent a question about an invoice"),
    ("web", "account_update", "Updated account settings"),
)


@dataclass(frozen=True, slots=True)
class SeedSummary:
    customers: int
    rows: int


def _customer_row(person: Person) -> dict[str, Any]:
    return {
        "id": person.customer_id,
        "lifecycle_stage": person.lifecycle_stage,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": person.birth_date,
        "locale": person.locale,
        "profile_type": person.profile_type,
        "segment": person.segment,
        "loyalty_id": person.loyalty_id,
        "version": 1,
        "created_at": person.created_at,
        "updated_at": person.created_at,
        "verified_at": None,
    }


def _contact_rows(person: Person) -> Iterator[dict[str, Any]]:
    # Every row has every column: one executemany takes its columns from the first row.
    common = {
        "customer_id": person.customer_id,
        "source": "seed",
        "created_at": person.created_at,
        **dict.fromkeys(("label", "street", "city", "postcode", "region", "country")),
    }
    for index, email in enumerate(person.emails):
        yield {**common, "kind": "email", "value": email, "is_primary": index == 0}
    for index, phone in enumerate(person.phones):
        yield {**common, "kind": "phone", "value": phone, "is_primary": index == 0}
    for index, address in enumerate(person.addresses):
        # Written as addContactPoint and imports write it, so later copies are recognised.
        postal = PostalAddress(
            street=address.street,
            city=address.city,
            country=address.country,
            postcode=address.postcode,
            region=address.region,
        ).validated()
        yield {
            **common,
            "kind": "address",
            "label": address.kind,
            "value": postal.one_line(),
            "street": address.street,
            "city": address.city,
            "postcode": address.postcode,
            "region": address.region,
            "country": address.country,
            "is_primary": index == 0,
        }


def _consent_rows(person: Person, rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    for purpose in PURPOSES:
        for channel in rng.sample(CHANNELS, k=rng.randint(0, 2)):
            at = person.created_at + timedelta(days=rng.randint(0, 30))
            yield _consent(person, purpose, channel, "granted", at, rng, now)
            if rng.random() < 0.2:
                later = at + timedelta(days=rng.randint(30, 900))
                if later < now:
                    yield _consent(person, purpose, channel, "withdrawn", later, rng, now)


def _consent(
    person: Person,
    purpose: str,
    channel: str,
    status: str,
    at: datetime,
    rng: random.Random,
    now: datetime,
) -> dict[str, Any]:
    expires = at + timedelta(days=730) if status == "granted" and rng.random() < 0.1 else None
    return {
        "customer_id": person.customer_id,
        "purpose": purpose,
        "channel": channel,
        "status": status,
        "lawful_basis": "consent",
        "captured_at": min(at, now),
        "source": rng.choice(("web_form", "store", "call_centre", "app")),
        "evidence": f"seed:{person.key}:{purpose}:{channel}",
        "expires_at": expires,
    }


def _preference_row(person: Person, rng: random.Random) -> dict[str, Any]:
    return {
        "customer_id": person.customer_id,
        "channels": rng.sample(CHANNELS, k=rng.randint(1, 3)),
        "frequency": rng.choice(("weekly", "monthly", "quarterly", None)),
        "topics": rng.sample(TOPICS, k=rng.randint(0, 3)),
        "product_interests": rng.sample(INTERESTS, k=rng.randint(0, 3)),
        "updated_at": person.created_at,
    }


def _interaction_rows(
    person: Person, rng: random.Random, now: datetime
) -> Iterator[dict[str, Any]]:
    span = max(int((now - person.created_at).total_seconds()), 1)
    for _ in range(rng.randint(10, 40)):
        channel, kind, summary = rng.choice(INTERACTION_KINDS)
        yield {
            "customer_id": person.customer_id,
            "channel": channel,
            "kind": kind,
            "summary": summary,
            "occurred_at": person.created_at + timedelta(seconds=rng.randint(0, span)),
            "source": "gateway",
            "details": None,
        }


def _links(world: World, people: Iterable[Person]) -> Iterator[dict[str, Any]]:
    wanted = {person.customer_id for person in people}
    for link in world.links:
        if link.customer_id in wanted:
            yield {
                "customer_id": link.customer_id,
                "system": link.system,
                "external_id": link.external_id,
                "method": LinkMethod.DETERMINISTIC,
                "score": 1.0,
                "linked_at": world.now,
            }
    for person in people:
        if person.loyalty_id:
            yield {
                "customer_id": person.customer_id,
                "system": "loyalty",
                "external_id": person.loyalty_id,
                "method": LinkMethod.DETERMINISTIC,
                "score": 1.0,
                "linked_at": person.created_at,
            }


async def _insert(session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]) -> int:
    if rows:
        await session.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
    return len(rows)


async def seed(
    db: Database,
    *,
    customers: int,
    seed_value: int = 360,
    on_progress: Callable[[int], None] = lambda _n: None,
) -> SeedSummary:
    """Write `customers` people of the seeded world, in chunks (each chunk one transaction)."""
    world = build_world(customers, seed_value)
    now = world.now
    rows = 0
    for start in range(0, len(world.people), CHUNK):
        people = world.people[start : start + CHUNK]
        batches: dict[type[SQLModel], list[dict[str, Any]]] = {
            Customer: [],
            ContactPoint: [],
            ConsentEvent: [],
            Preference: [],
            Interaction: [],
        }
        for person in people:
            rng = person_rng(world, person.key, "master-store")
            batches[Customer].append(_customer_row(person))
            batches[ContactPoint].extend(_contact_rows(person))
            batches[ConsentEvent].extend(_consent_rows(person, rng, now))
            batches[Preference].append(_preference_row(person, rng))
            batches[Interaction].extend(_interaction_rows(person, rng, now))
        links = list(_links(world, people))
        history = seeded_history(world, people, batches[ContactPoint], links)
        async with db.transaction() as session:
            for model, batch in batches.items():
                rows += await _insert(session, model, batch)
            rows += await _insert(session, SourceLink, links)
            rows += await seed_acquisitions(session, world, people)
            # Merged duplicates after the customers they point to (their own column set).
            rows += await _insert(session, Customer, history.tombstones)
            rows += await _insert(session, CustomerChange, history.changes)
            await refresh_search_keys(session, [person.customer_id for person in people])
        on_progress(len(people))
    rows += await seed_spend(db, world)
    return SeedSummary(customers=len(world.people), rows=rows)
