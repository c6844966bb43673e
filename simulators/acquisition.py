"""Where each person of the world came from: one truth the master-store seed and the CRM
simulator (HubSpot's original source properties) both serve.

Drawn from a private per-person RNG, so adding it changed nothing else of the world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from simulators.world import Person, World, person_rng

# HubSpot's `hs_analytics_source` values, with how often each brings a customer.
SOURCES: tuple[tuple[str, int], ...] = (
    ("ORGANIC_SEARCH", 24),
    ("PAID_SEARCH", 20),
    ("SOCIAL_MEDIA", 10),
    ("PAID_SOCIAL", 12),
    ("EMAIL_MARKETING", 10),
    ("REFERRALS", 9),
    ("DIRECT_TRAFFIC", 10),
    ("OFFLINE", 5),
)
# Sources whose customers come through a named campaign (one per source and quarter).
CAMPAIGN_SOURCES = frozenset({"PAID_SEARCH", "PAID_SOCIAL", "EMAIL_MARKETING"})


@dataclass(frozen=True, slots=True)
class PersonAcquisition:
    """When and how one person became a customer, and (lifecycle past) when they left."""

    acquired_at: datetime
    source: str
    campaign: str | None
    lost_at: datetime | None


def acquisition_of(world: World, person: Person) -> PersonAcquisition | None:
    """The person's acquisition; None for a prospect (never a customer)."""
    if person.lifecycle_stage == "prospect":
        return None
    rng = person_rng(world, person.key, "acquisition")
    names, weights = zip(*SOURCES, strict=True)
    source = rng.choices(names, weights=weights)[0]
    at = person.created_at
    campaign = None
    if source in CAMPAIGN_SOURCES:
        campaign = f"{source.lower().replace('_', '-')}-{at.year}-q{(at.month + 2) // 3}"
    lost_at = None
    if person.lifecycle_stage == "past":
        span = max((world.now - at).total_seconds(), 1.0)
        lost_at = at + timedelta(seconds=rng.uniform(0.1, 0.95) * span)
    return PersonAcquisition(at, source, campaign, lost_at)
