"""`search_customers`: free text in, live customers out, ranked with what matched."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InvalidInputError
from app.search.index import searchable
from app.search.keys import BROAD_KINDS
from app.search.query import parse_query
from app.search.scoring import FieldMatch, score_customer
from app.store.db import Database
from app.store.models import Customer
from app.store.repositories import search_keys as repo
from app.store.types import utcnow

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# Candidates scored exactly per query, and customers one key may contribute (fewer for a key
# one word makes): they bound the work of a query whatever the size of the store.
CANDIDATES = 40
PER_KEY_LIMIT = 100
BROAD_KEY_LIMIT = 25


@dataclass(frozen=True, slots=True)
class SearchHit:
    customer: Customer
    score: float
    matches: tuple[FieldMatch, ...]


def check_limit(limit: int | None) -> int:
    """The number of results to return; outside 1..MAX_LIMIT is `InvalidInputError`."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


async def search_customers(
    db: Database,
    *,
    query: str,
    limit: int | None = None,
    default_region: str = "GB",
    consent_purpose: str | None = None,
) -> list[SearchHit]:
    """Live customers best matching `query`, best first; only those some term matched.

    With `consent_purpose`, customers whose consent for it does not hold now are left out.
    """
    size = check_limit(limit)
    parsed = parse_query(query, default_region=default_region)
    async with db.session() as session:
        candidates = await repo.search_candidates(
            session,
            keys=parsed.lookup_keys(),
            per_key_limit=PER_KEY_LIMIT,
            broad_kinds=BROAD_KINDS,
            broad_key_limit=BROAD_KEY_LIMIT,
            limit=CANDIDATES,
            consent_purpose=consent_purpose,
            now=utcnow(),
        )
    rows = {customer.id: customer for customer, _ in candidates}
    scored = [score_customer(parsed, searchable(c, contacts)) for c, contacts in candidates]
    ranked = sorted((s for s in scored if s.matches), key=lambda s: (-s.score, s.customer_id))
    return [SearchHit(rows[h.customer_id], h.score, h.matches) for h in ranked[:size]]
