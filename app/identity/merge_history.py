"""The change-log entries of a merge or an unmerge: what the survivor gained or lost.

A merge moves rows in bulk, so its entries come from comparing the survivor's contact points,
identities and profile before and after, in the merge's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.change_log import (
    MERGE_FIELD,
    MERGED_INTO_FIELD,
    PREFERENCE_FIELDS,
    PROFILE_FIELDS,
    Change,
    ChangeAction,
    identity_item,
    identity_linked,
    identity_unlinked,
    point_added,
    point_item,
    point_removed,
    preference_changes,
    profile_changes,
)
from app.store.models import ContactPoint, Customer, Preference, SourceLink
from app.store.repositories import identity as repo

MERGE_SOURCE = "merge"
UNMERGE_SOURCE = "unmerge"


@dataclass(frozen=True, slots=True)
class RecordState:
    """One customer's profile, contact points and identities at one moment."""

    profile: dict[str, Any]
    preferences: dict[str, Any]
    points: dict[str, ContactPoint]
    links: dict[str, SourceLink]


async def record_state(session: AsyncSession, customer: Customer) -> RecordState:
    """The customer's state as the session sees it now (rows detached from later changes)."""
    await session.flush()
    points = await repo.rows_by_customer(session, ContactPoint, customer_ids=[customer.id])
    links = await repo.rows_by_customer(session, SourceLink, customer_ids=[customer.id])
    preference = await session.get(Preference, customer.id)
    return RecordState(
        profile={name: getattr(customer, name) for name in PROFILE_FIELDS},
        preferences={
            name: list(getattr(preference, name))
            if isinstance(getattr(preference, name), list)
            else getattr(preference, name)
            for name in PREFERENCE_FIELDS
        }
        if preference
        else {},
        points={
            point_item(p.kind, p.value): ContactPoint(**p.model_dump())
            for p in points.get(customer.id, [])
        },
        links={
            identity_item(row.system, row.external_id): SourceLink(**row.model_dump())
            for row in links.get(customer.id, [])
        },
    )


def state_changes(
    customer_id: str, before: RecordState, after: RecordState, *, source: str, profile: bool
) -> list[Change]:
    """Contact points added and removed, identities linked and unlinked, and (with `profile`)
    profile fields set."""
    changes = (
        profile_changes(customer_id, before.profile, after.profile, source=source, rule=None)
        if profile
        else []
    )
    changes += preference_changes(customer_id, before.preferences, after.preferences, source=source)
    for item in sorted(after.points.keys() - before.points.keys()):
        changes.append(point_added(after.points[item], source=source))
    for item in sorted(before.points.keys() - after.points.keys()):
        row = before.points[item]
        row.customer_id = customer_id
        changes.append(point_removed(row, source=source))
    for item in sorted(after.links.keys() - before.links.keys()):
        changes.append(identity_linked(after.links[item], source=source))
    for item in sorted(before.links.keys() - after.links.keys()):
        link = before.links[item]
        link.customer_id = customer_id
        changes.append(identity_unlinked(link, source=source))
    return changes


def merge_entries(survivor_id: str, merged_id: str, *, undone: bool) -> list[Change]:
    """The entries naming the merge itself: on the survivor, and on the merged record."""
    source = UNMERGE_SOURCE if undone else MERGE_SOURCE
    return [
        Change(
            survivor_id,
            MERGE_FIELD,
            ChangeAction.UNMERGED if undone else ChangeAction.MERGED,
            old=merged_id if undone else None,
            new=None if undone else merged_id,
            item=merged_id,
            source=source,
        ),
        Change(
            merged_id,
            MERGED_INTO_FIELD,
            ChangeAction.SET,
            old=survivor_id if undone else None,
            new=None if undone else survivor_id,
            source=source,
        ),
    ]
