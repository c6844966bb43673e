"""The demo world's history for `c360 seed`: each customer's record as first written, and, for
some, a life since: a move (an address replaced), a new email, a duplicate merged in.

Rows are `customer_change` entries (and the merged duplicates' tombstones), drawn from a
per-person RNG of their own, so the rest of the seeded world is unchanged.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.customers.change_log import (
    MERGE_FIELD,
    MERGED_INTO_FIELD,
    ChangeAction,
    identity_item,
    point_item,
    point_value,
)
from simulators.world import Person, World, person_rng

SEED_PRINCIPAL = "seed"
SHARE_MOVED = 0.12
SHARE_NEW_EMAIL = 0.10
SHARE_MERGED = 0.03
_PROFILE = ("given_name", "family_name", "birth_date", "locale", "lifecycle_stage", "segment")
_FORMER_ADDRESSES = (
    ("14 Station Road", "Leeds", "LS2 9JT", "West Yorkshire", "GB"),
    ("3 Rue Oberkampf", "Paris", "75011", "Ile-de-France", "FR"),
    ("27 Kastanienallee", "Berlin", "10435", "Berlin", "DE"),
    ("8 Mill Lane", "Bristol", "BS1 6QE", "Bristol", "GB"),
    ("52 Calle Mayor", "Madrid", "28013", "Madrid", "ES"),
)
_FORMER_DOMAINS = ("oldmail.example", "isp-legacy.example", "work-before.example")


@dataclass
class SeededHistory:
    """Change-log rows and merged duplicates (tombstones) of one chunk of people."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    tombstones: list[dict[str, Any]] = field(default_factory=list)


def _entry(
    customer_id: str,
    name: str,
    action: ChangeAction,
    at: datetime,
    *,
    old: Any = None,
    new: Any = None,
    item: str | None = None,
    source: str = "seed",
    rule: str | None = None,
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "field": name,
        "action": action.value,
        "item": item,
        "old_value": old,
        "new_value": new,
        "source": source,
        "rule": rule,
        "principal": SEED_PRINCIPAL,
        "request_id": None,
        "changed_at": at,
        "recorded_at": at,
    }


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(int((end - start).total_seconds()), 1)
    return start + timedelta(seconds=rng.randint(span // 4, span - 1))


def _former_address(rng: random.Random) -> dict[str, Any]:
    street, city, postcode, region, country = rng.choice(_FORMER_ADDRESSES)
    return {
        "kind": "address",
        "value": f"{street}, {postcode}, {city}, {region}, {country}",
        "label": "home",
        "is_primary": True,
        "street": street,
        "address_line2": None,
        "city": city,
        "postcode": postcode,
        "region": region,
        "country": country,
    }


def _person_history(
    person: Person,
    points: list[dict[str, Any]],
    links: list[dict[str, Any]],
    rng: random.Random,
    now: datetime,
    out: SeededHistory,
) -> None:
    cid, born = person.customer_id, person.created_at
    for name in _PROFILE:
        value = getattr(person, name, None)
        if value is not None:
            new = value.isoformat() if hasattr(value, "isoformat") else value
            out.changes.append(_entry(cid, name, ChangeAction.SET, born, new=new))
    moved_at = _between(rng, born, now) if rng.random() < SHARE_MOVED else None
    emailed_at = _between(rng, born, now) if rng.random() < SHARE_NEW_EMAIL else None
    for point in points:
        kind = point["kind"]
        changed = moved_at if kind == "address" else emailed_at if kind == "email" else None
        at = changed if changed is not None and point["is_primary"] else born
        item = point_item(kind, point["value"])
        out.changes.append(
            _entry(cid, kind, ChangeAction.ADDED, at, new=point_value(point), item=item)
        )
    if moved_at is not None and any(p["kind"] == "address" for p in points):
        former = _former_address(rng)
        item = point_item("address", former["value"])
        value = point_value(former)
        out.changes.append(_entry(cid, "address", ChangeAction.ADDED, born, new=value, item=item))
        out.changes.append(
            _entry(cid, "address", ChangeAction.REMOVED, moved_at, old=value, item=item)
        )
    emails = [p for p in points if p["kind"] == "email" and p["is_primary"]]
    if emailed_at is not None and emails:
        local = emails[0]["value"].partition("@")[0]
        former = {"kind": "email", "value": f"{local}@{rng.choice(_FORMER_DOMAINS)}"}
        value = {"value": former["value"], "label": None, "is_primary": True}
        item = point_item("email", former["value"])
        out.changes.append(_entry(cid, "email", ChangeAction.ADDED, born, new=value, item=item))
        out.changes.append(
            _entry(cid, "email", ChangeAction.REMOVED, emailed_at, old=value, item=item)
        )
    for link in links:
        item = identity_item(link["system"], link["external_id"])
        value = {
            "system": link["system"],
            "external_id": link["external_id"],
            "method": "deterministic",
        }
        out.changes.append(
            _entry(
                cid,
                "identity",
                ChangeAction.LINKED,
                min(link["linked_at"], now),
                new=value,
                item=item,
                source=link["system"],
                rule="deterministic",
            )
        )
    if rng.random() < SHARE_MERGED:
        _merged_duplicate(person, rng, now, out)


def _merged_duplicate(
    person: Person, rng: random.Random, now: datetime, out: SeededHistory
) -> None:
    """A duplicate record of the person, created later and merged in by a steward."""
    created = _between(rng, person.created_at, now)
    merged_at = _between(rng, created, now)
    duplicate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    out.tombstones.append(
        {
            "id": duplicate,
            "lifecycle_stage": person.lifecycle_stage,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "birth_date": None,
            "locale": person.locale,
            "profile_type": person.profile_type,
            "segment": None,
            "loyalty_id": None,
            "version": 2,
            "created_at": created,
            "updated_at": merged_at,
            "verified_at": None,
            "merged_into": person.customer_id,
        }
    )
    for name in ("given_name", "family_name"):
        out.changes.append(
            _entry(duplicate, name, ChangeAction.SET, created, new=getattr(person, name))
        )
    out.changes.append(
        _entry(
            duplicate,
            MERGED_INTO_FIELD,
            ChangeAction.SET,
            merged_at,
            new=person.customer_id,
            source="merge",
        )
    )
    out.changes.append(
        _entry(
            person.customer_id,
            MERGE_FIELD,
            ChangeAction.MERGED,
            merged_at,
            new=duplicate,
            item=duplicate,
            source="merge",
        )
    )


def seeded_history(
    world: World,
    people: Iterable[Person],
    points: Iterable[dict[str, Any]],
    links: Iterable[dict[str, Any]],
) -> SeededHistory:
    """The history of these people, given the contact points and links seeded for them."""
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for point in points:
        by_customer.setdefault(point["customer_id"], []).append(point)
    links_of: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        links_of.setdefault(link["customer_id"], []).append(link)
    out = SeededHistory()
    for person in people:
        rng = person_rng(world, person.key, "history")
        _person_history(
            person,
            by_customer.get(person.customer_id, []),
            links_of.get(person.customer_id, []),
            rng,
            world.now,
            out,
        )
    return out
