"""Survivorship: which of the values sources give for a golden field wins, and by which rule.

Rules, in order: a verified value beats unverified ones; then the system ranked higher in the
priority (per field, or the default list; unlisted systems rank last, equally); then the most
recently observed value. The rule reported is the first one that set the winner apart from the
best candidate holding a *different* value ("single_value" when all candidates agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.identity.dates import parse_birth_date

GOLDEN_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "national_id",
    "loyalty_id",
)
GATEWAY = "gateway"
"""The system of values entered at the gateway itself (staff edits, self-service, seed)."""

RULE_VERIFIED = "verified"
RULE_SOURCE_PRIORITY = "source_priority"
RULE_MOST_RECENT = "most_recent"
RULE_SINGLE_VALUE = "single_value"

_TEXT_LIMITS = {"given_name": 200, "family_name": 200, "national_id": 64, "loyalty_id": 64}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value offered for a golden field by one system."""

    value: Any
    system: str
    observed_at: datetime
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Survivor:
    """The winning value of a field, its system, the deciding rule and when it was observed."""

    value: Any
    system: str
    rule: str
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class SurvivorshipRules:
    """Source priority, strongest first, by default and per field."""

    priority: tuple[str, ...] = (GATEWAY,)
    field_priority: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, priority: Sequence[str], field_priority: Mapping[str, Sequence[str]]
    ) -> SurvivorshipRules:
        return cls(
            priority=tuple(priority),
            field_priority={name: tuple(order) for name, order in field_priority.items()},
        )

    def rank(self, field_name: str, system: str) -> int:
        """Lower is stronger; systems not listed share the weakest rank."""
        order = self.field_priority.get(field_name, self.priority)
        return order.index(system) if system in order else len(order)


def choose(
    field_name: str, candidates: Iterable[Candidate], rules: SurvivorshipRules
) -> Survivor | None:
    """The surviving value of one field among `candidates` (None when no candidate has one)."""
    present = [c for c in candidates if c.value not in (None, "")]
    if not present:
        return None

    def strength(c: Candidate) -> tuple[bool, int, float]:
        return (not c.verified, rules.rank(field_name, c.system), -c.observed_at.timestamp())

    ordered = sorted(present, key=strength)
    winner = ordered[0]
    rivals = [c for c in ordered if c.value != winner.value]
    if not rivals:
        rule = RULE_SINGLE_VALUE
    elif winner.verified and not rivals[0].verified:
        rule = RULE_VERIFIED
    elif rules.rank(field_name, winner.system) < rules.rank(field_name, rivals[0].system):
        rule = RULE_SOURCE_PRIORITY
    else:
        rule = RULE_MOST_RECENT
    return Survivor(
        value=winner.value, system=winner.system, rule=rule, observed_at=winner.observed_at
    )


def _text(field_name: str, raw: Any) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return text if text and len(text) <= _TEXT_LIMITS[field_name] else None


def golden_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The golden-field values a raw source record (FIELD -> text) offers; unusable ones dropped.

    A full name fills whichever of given and family name is missing ("Smith, John", or
    the last word as family name).
    """
    given, family = values.get("given_name"), values.get("family_name")
    full = str(values.get("full_name") or "").strip()
    if full and (not given or not family):
        if "," in full:  # "Smith, John"
            tail, _, head = (part.strip() for part in full.partition(","))
        else:
            head, _, tail = full.rpartition(" ")
        given = given or (head or None)
        family = family or tail
    country = str(values.get("country") or "").strip().upper()
    birth: date | None = parse_birth_date(
        values.get("birth_date"), day_first=country not in {"US", "PH"}
    )
    return {
        "given_name": _text("given_name", given),
        "family_name": _text("family_name", family),
        "birth_date": birth,
        "national_id": _text("national_id", values.get("national_id")),
        "loyalty_id": _text("loyalty_id", values.get("loyalty_id")),
    }
