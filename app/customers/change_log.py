"""The golden record's change log (`customer_change`): what each write path appends.

One entry per changed field: profile fields (`given_name`...), contact points (`email`,
`phone`, `address`: ADDED, CHANGED, REMOVED, named by `item`), source identities (`identity`:
LINKED, UNLINKED), preferences (`preferences.channels`...), merges (`merge` on the survivor,
`merged_into` on the merged record). Entries are built here and written by `record_changes`,
in the transaction of the change; nothing updates or deletes them but erasure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.change_actor import current_actor
from app.store.models import ContactPoint, CustomerChange, SourceLink
from app.store.types import utcnow

PROFILE_FIELDS: tuple[str, ...] = (
    "given_name",
    "middle_name",
    "family_name",
    "birth_date",
    "locale",
    "lifecycle_stage",
    "profile_type",
    "segment",
    "loyalty_id",
    "national_id",
)
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone", "address")
PREFERENCE_FIELDS: tuple[str, ...] = (
    "channels",
    "frequency",
    "topics",
    "product_interests",
)
# Where the customer came from (app/business/acquisition.py).
ACQUISITION_FIELDS: tuple[str, ...] = ("acquired_at", "acquisition_channel", "acquisition_campaign")
IDENTITY_FIELD = "identity"
MERGE_FIELD = "merge"
MERGED_INTO_FIELD = "merged_into"
PREFERENCE_PREFIX = "preferences."
HISTORY_FIELDS: frozenset[str] = frozenset(
    {
        *PROFILE_FIELDS,
        *CONTACT_FIELDS,
        *ACQUISITION_FIELDS,
        *(PREFERENCE_PREFIX + name for name in PREFERENCE_FIELDS),
        IDENTITY_FIELD,
        MERGE_FIELD,
        MERGED_INTO_FIELD,
    }
)
"""Every field name a change-log entry may carry."""


class ChangeAction(StrEnum):
    SET = "set"
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    LINKED = "linked"
    UNLINKED = "unlinked"
    MERGED = "merged"
    UNMERGED = "unmerged"


@dataclass(frozen=True, slots=True)
class Change:
    """One entry to append; `changed_at` None means now."""

    customer_id: str
    field: str
    action: ChangeAction
    old: Any = None
    new: Any = None
    item: str | None = None
    source: str = "gateway"
    rule: str | None = None
    changed_at: datetime | None = None


def _plain(value: Any) -> Any:
    """A JSON-storable value: dates as ISO strings, enums as their values."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def point_item(kind: str, value: str) -> str:
    """How a contact point is named across its entries: kind and normalized value."""
    return f"{kind}:{value}"


def identity_item(system: str, external_id: str) -> str:
    """How a source identity is named across its entries."""
    return f"{system}:{external_id}"


def point_value(row: ContactPoint | Mapping[str, Any]) -> dict[str, Any]:
    """What an entry keeps of a contact point: its value, label, parts and primary flag."""
    get: Callable[[str], Any] = (
        row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    )
    data = {"value": get("value"), "label": get("label"), "is_primary": bool(get("is_primary"))}
    if get("kind") == "address":
        for name in ("street", "address_line2", "city", "postcode", "region", "country"):
            data[name] = get(name)
    return data


def profile_changes(
    customer_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    source: str,
    rule: str | None = "direct_edit",
    changed_at: datetime | None = None,
) -> list[Change]:
    """A SET entry per profile field whose value differs between `before` and `after`."""
    return [
        Change(
            customer_id,
            name,
            ChangeAction.SET,
            old=before.get(name),
            new=after[name],
            source=source,
            rule=rule,
            changed_at=changed_at,
        )
        for name in PROFILE_FIELDS
        if name in after and _plain(before.get(name)) != _plain(after[name])
    ]


def point_added(
    row: ContactPoint | Mapping[str, Any], *, source: str, changed_at: datetime | None = None
) -> Change:
    """An ADDED entry for a new contact point."""
    get: Callable[[str], Any] = (
        row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    )
    return Change(
        get("customer_id"),
        get("kind"),
        ChangeAction.ADDED,
        new=point_value(row),
        item=point_item(get("kind"), get("value")),
        source=source,
        changed_at=changed_at,
    )


def point_removed(row: ContactPoint, *, source: str) -> Change:
    """A REMOVED entry for a deleted contact point."""
    return Change(
        row.customer_id,
        row.kind,
        ChangeAction.REMOVED,
        old=point_value(row),
        item=point_item(row.kind, row.value),
        source=source,
    )


def identity_linked(
    row: SourceLink | Mapping[str, Any], *, source: str, changed_at: datetime | None = None
) -> Change:
    """A LINKED entry for a new source identity."""
    get: Callable[[str], Any] = (
        row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    )
    value = {"system": get("system"), "external_id": get("external_id"), "method": get("method")}
    return Change(
        get("customer_id"),
        IDENTITY_FIELD,
        ChangeAction.LINKED,
        new=value,
        item=identity_item(get("system"), get("external_id")),
        source=source,
        rule=_plain(get("method")),
        changed_at=changed_at,
    )


def identity_unlinked(row: SourceLink, *, source: str) -> Change:
    """An UNLINKED entry for a source identity that left the customer."""
    value = {"system": row.system, "external_id": row.external_id, "method": row.method}
    return Change(
        row.customer_id,
        IDENTITY_FIELD,
        ChangeAction.UNLINKED,
        old=value,
        item=identity_item(row.system, row.external_id),
        source=source,
    )


def preference_changes(
    customer_id: str, before: Mapping[str, Any], after: Mapping[str, Any], *, source: str
) -> list[Change]:
    """A SET entry per preference whose value changed."""
    return [
        Change(
            customer_id,
            PREFERENCE_PREFIX + name,
            ChangeAction.SET,
            old=before.get(name),
            new=after.get(name),
            source=source,
        )
        for name in PREFERENCE_FIELDS
        if _plain(before.get(name)) != _plain(after.get(name))
    ]


def change_rows(changes: Iterable[Change]) -> list[dict[str, Any]]:
    """The `customer_change` rows of these entries, attributed to the current actor."""
    actor = current_actor()
    now = utcnow()
    return [
        {
            "customer_id": change.customer_id,
            "field": change.field,
            "action": change.action.value,
            "item": change.item,
            "old_value": _plain(change.old),
            "new_value": _plain(change.new),
            "source": change.source,
            "rule": change.rule,
            "principal": actor.principal,
            "request_id": actor.request_id,
            "changed_at": change.changed_at or now,
            "recorded_at": now,
        }
        for change in changes
    ]


async def record_changes(session: AsyncSession, changes: Sequence[Change]) -> None:
    """Append the entries in the caller's transaction (one multi-row INSERT)."""
    rows = change_rows(changes)
    if rows:
        await session.execute(insert(CustomerChange.__table__), rows)  # type: ignore[attr-defined]
