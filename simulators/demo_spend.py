"""The demo's acquisition data: each seeded customer's acquisition (the world's truth, as the
CRM's original source says it) and a spend ledger that matches who was acquired when."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.business.acquisition import RULE_EARLIEST_SOURCE, write_with_provenance
from app.business.spend import CostCategory, NewSpend, record_spend
from app.metrics.params import MetricParams
from app.store.db import Database
from app.store.repositories.acquisitions import AcquisitionFacts, month_of
from simulators.acquisition import acquisition_of
from simulators.world import Person, World

# Spend per customer acquired, by source: (category, amount).
_COST_PER_CUSTOMER: dict[str, tuple[CostCategory, float]] = {
    "PAID_SEARCH": (CostCategory.MEDIA, 120.0),
    "PAID_SOCIAL": (CostCategory.MEDIA, 90.0),
    "OFFLINE": (CostCategory.MEDIA, 200.0),
    "EMAIL_MARKETING": (CostCategory.DIRECT_MARKETING, 25.0),
}
# Spend no channel owns, per customer acquired that month.
_SHARED_COSTS = (
    (CostCategory.SALES_MARKETING_SALARIES, 60.0),
    (CostCategory.TOOLS_SOFTWARE, 15.0),
    (CostCategory.PROFESSIONAL_SERVICES, 8.0),
    (CostCategory.OVERHEAD, 20.0),
)


async def seed_acquisitions(session: AsyncSession, world: World, people: Sequence[Person]) -> int:
    """Write the acquisition records of these people (prospects have none)."""
    records = []
    for person in people:
        acquired = acquisition_of(world, person)
        if acquired is not None:
            records.append(
                AcquisitionFacts(
                    person.customer_id,
                    acquired.acquired_at,
                    acquired.source.lower(),
                    acquired.campaign,
                    "hubspot",
                    acquired.lost_at,
                )
            )
    return len(await write_with_provenance(session, records, rule=RULE_EARLIEST_SOURCE))


def _month_span(month: str) -> tuple[date, date]:
    first = date(int(month[:4]), int(month[5:7]), 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def seed_spend(db: Database, world: World) -> int:
    """Write a monthly spend ledger in the reporting currency (EUR) that follows acquisitions."""
    rng = random.Random(f"{world.seed}:spend")
    per_source: Counter[tuple[str, str, str | None]] = Counter()
    per_month: Counter[str] = Counter()
    for person in world.people:
        acquired = acquisition_of(world, person)
        if acquired is None:
            continue
        month = month_of(acquired.acquired_at)
        per_month[month] += 1
        per_source[(month, acquired.source, acquired.campaign)] += 1
    spends = []
    for (month, source, campaign), count in sorted(per_source.items(), key=str):
        if source not in _COST_PER_CUSTOMER:
            continue
        category, cost = _COST_PER_CUSTOMER[source]
        start, end = _month_span(month)
        amount = round(count * cost * rng.uniform(0.7, 1.3), 2)
        spends.append(NewSpend(start, end, category, amount, "EUR", source.lower(), campaign))
    for month, count in sorted(per_month.items()):
        start, end = _month_span(month)
        for category, cost in _SHARED_COSTS:
            amount = round(count * cost * rng.uniform(0.8, 1.2), 2)
            spends.append(NewSpend(start, end, category, amount, "EUR"))
    rows = await record_spend(db, spends, MetricParams(currency="EUR"), source="seed")
    return len(rows)
