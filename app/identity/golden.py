"""Building a customer's golden record from its source records, and writing its provenance."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.customers.change_log import Change, ChangeAction, identity_linked
from app.customers.profiles import LOYALTY_SYSTEM
from app.identity.survivorship import (
    GATEWAY,
    GOLDEN_FIELDS,
    Candidate,
    Survivor,
    SurvivorshipRules,
    choose,
    golden_values,
)
from app.store.models import Customer, FieldProvenance, LinkMethod, SourceLink, SourceRecord
from app.store.repositories import identity as repo
from app.store.types import utcnow


@dataclass(frozen=True, slots=True)
class GoldenOf:
    """A customer's current golden values with their provenance, offered as candidates."""

    customer: Customer
    provenance: Sequence[FieldProvenance]


def _golden_candidates(golden: GoldenOf, exclude_systems: set[str]) -> dict[str, Candidate]:
    customer = golden.customer
    by_field = {p.field: p for p in golden.provenance}
    offered: dict[str, Candidate] = {}
    for name in GOLDEN_FIELDS:
        value = getattr(customer, name)
        prov = by_field.get(name)
        system = prov.system if prov else GATEWAY
        # A value a source gave is represented by that source's own record when it is present.
        if value is None or system in exclude_systems:
            continue
        offered[name] = Candidate(
            value,
            system,
            prov.recorded_at if prov else customer.updated_at,
            customer.verified_at is not None and system == GATEWAY,
        )
    return offered


def winners(
    target: GoldenOf,
    records: Iterable[SourceRecord],
    rules: SurvivorshipRules,
    *,
    also: Sequence[GoldenOf] = (),
) -> dict[str, Survivor]:
    """Per golden field, the survivor to write; fields left as entered at the gateway are absent.

    Candidates: each source record's values, the target's current golden values (and those of
    `also`, e.g. a customer being merged in) unless their system has a record here.
    """
    records = list(records)
    systems = {row.system for row in records}
    offered = [(row, golden_values(row.values)) for row in records]
    goldens = [_golden_candidates(g, systems) for g in (target, *also)]
    target_provenance = {p.field for p in target.provenance}
    result: dict[str, Survivor] = {}
    for name in GOLDEN_FIELDS:
        candidates = [
            Candidate(values[name], row.system, row.observed_at, row.verified)
            for row, values in offered
        ]
        candidates += [g[name] for g in goldens if name in g]
        winner = choose(name, candidates, rules)
        if winner is None:
            continue
        untouched = winner.value == getattr(target.customer, name) and winner.system == GATEWAY
        if untouched and name not in target_provenance:
            continue
        result[name] = winner
    return result


async def write_golden(
    session: AsyncSession,
    customer: Customer,
    chosen: dict[str, Survivor],
    provenance: Sequence[FieldProvenance],
    *,
    bump_version: bool = True,
    owners: dict[str, str] | None = None,
    add: Callable[[SQLModel], None] | None = None,
    changes: list[Change] | None = None,
) -> bool:
    """Set the chosen values and their provenance; returns whether a value changed.

    Each changed value goes to `changes` (when given) with the system that gave it, the rule
    that chose it and when that system observed it.

    A loyalty id that is another customer's card is not taken (the golden value stays).
    `owners` (card -> customer id), when given, saves looking the cards up; `add` receives the
    new rows instead of the session (for callers that insert them in bulk).
    """
    add = add or session.add
    by_field = {p.field: p for p in provenance}
    changed = False
    for name, winner in chosen.items():
        if name == "loyalty_id" and winner.value != customer.loyalty_id:
            if owners is None:
                found = await repo.links_by_identity(
                    session, system=LOYALTY_SYSTEM, external_ids=[winner.value]
                )
                owner = found[winner.value].customer_id if winner.value in found else None
            else:
                owner = owners.get(winner.value)
            if owner is not None and owner != customer.id:
                continue
            if owner is None:
                if owners is not None:
                    owners[winner.value] = customer.id
                link = SourceLink(
                    customer_id=customer.id,
                    system=LOYALTY_SYSTEM,
                    external_id=winner.value,
                    method=LinkMethod.DETERMINISTIC,
                    score=1.0,
                )
                add(link)
                if changes is not None:
                    changes.append(
                        identity_linked(link, source=winner.system, changed_at=winner.observed_at)
                    )
        if getattr(customer, name) != winner.value:
            if changes is not None:
                changes.append(
                    Change(
                        customer.id,
                        name,
                        ChangeAction.SET,
                        old=getattr(customer, name),
                        new=winner.value,
                        source=winner.system,
                        rule=winner.rule,
                        changed_at=winner.observed_at,
                    )
                )
            setattr(customer, name, winner.value)
            changed = True
        prov = by_field.get(name)
        if prov is None:
            add(
                FieldProvenance(
                    customer_id=customer.id,
                    field=name,
                    system=winner.system,
                    rule=winner.rule,
                    recorded_at=winner.observed_at,
                )
            )
        else:
            prov.system, prov.rule, prov.recorded_at = (
                winner.system,
                winner.rule,
                winner.observed_at,
            )
    if changed and bump_version:
        customer.version += 1
    if chosen:
        customer.updated_at = utcnow()
    return changed
