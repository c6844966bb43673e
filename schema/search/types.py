"""The result types of `searchCustomers`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from app.search import scoring
from app.search.service import SearchHit
from schema.customers.types import Customer
from schema.enums import mirror_enum

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    SearchMatchMethod = scoring.MatchMethod
else:
    SearchMatchMethod = mirror_enum(
        scoring.MatchMethod,
        "SearchMatchMethod",
        "How a query term matched: exactly, as a nickname, by sound, with a typo, or in part "
        "(an email's local part, a phone's national number, a postcode district, an initial).",
    )

_FIELD_NAMES = {
    "given_name": "givenName",
    "middle_name": "middleName",
    "family_name": "familyName",
    "city": "city",
    "email": "email",
    "phone": "phone",
    "postcode": "postcode",
    "loyalty_id": "loyaltyId",
}


@strawberry.type(description="One term of the query and the customer field it matched.")
class SearchFieldMatch:
    field: str = strawberry.field(
        description="The matched field: givenName, middleName, familyName, city, email, "
        "phone, postcode or loyaltyId."
    )
    method: SearchMatchMethod
    similarity: float = strawberry.field(description="How close the match is, from 0 to 1.")
    term: str = strawberry.field(description="The part of the query that matched, as typed.")

    @classmethod
    def from_match(cls, match: scoring.FieldMatch) -> SearchFieldMatch:
        return cls(
            field=_FIELD_NAMES[match.field],
            method=SearchMatchMethod(match.method.value),
            similarity=match.similarity,
            term=match.term,
        )


@strawberry.type(description="A customer found by a search, with its score and what matched.")
class CustomerSearchResult:
    customer: Customer
    score: float = strawberry.field(description="Share of the query that matched, from 0 to 1.")
    matched_fields: list[SearchFieldMatch] = strawberry.field(
        description="Each query term that matched, with the field and how."
    )

    @classmethod
    def from_hit(cls, hit: SearchHit) -> CustomerSearchResult:
        return cls(
            customer=Customer.from_model(hit.customer),
            score=hit.score,
            matched_fields=[SearchFieldMatch.from_match(m) for m in hit.matches],
        )
