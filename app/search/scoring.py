"""Scoring a candidate against a parsed query, term by term, with the evidence of each match.

Every piece of the query is one term (a word, an email, a phone, a postcode, an id). A term's
credit is in [0, 1] by how it matched (exact, nickname, sound, typo, part); the score is the
weighted share of credit over all terms, so "jane doe leeds" ranks Jane Doe of Leeds above
Jane Doe of York, and a term that matches nothing pulls the score down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import OSA, JaroWinkler

from app.identity.addresses import normalize_postcode, postcode_district
from app.identity.nicknames import formal_given_name
from app.search import keys as k
from app.search.query import ParsedQuery, PhoneTerm

_WORD_FUZZY = 0.85  # Jaro-Winkler at or above: a typo of the same name
_EMAIL_FUZZY = 0.8
_WEIGHT_WORD = 1.0
_WEIGHT_POSTCODE = 1.5
_WEIGHT_STRONG = 4.0  # email, phone, loyalty id: one of these alone should identify


class MatchMethod(StrEnum):
    EXACT = "exact"
    NICKNAME = "nickname"
    PHONETIC = "phonetic"
    FUZZY = "fuzzy"
    PARTIAL = "partial"  # a part agrees: email local part, national number, district, initial


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """How one query term matched one field of the customer."""

    field: str  # given_name, family_name, middle_name, city, email, phone, postcode, loyalty_id
    method: MatchMethod
    similarity: float
    term: str


@dataclass(frozen=True, slots=True)
class ScoredCustomer:
    customer_id: str
    score: float
    matches: tuple[FieldMatch, ...]


def _word_match(word: str, value: str, *, nicknames: bool) -> tuple[MatchMethod, float] | None:
    if word == value:
        return MatchMethod.EXACT, 1.0
    if nicknames and formal_given_name(word) == formal_given_name(value):
        return MatchMethod.NICKNAME, 0.95
    if len(word) == 1:
        return (MatchMethod.PARTIAL, 0.5) if value.startswith(word) else None
    # Given names are short and sound alike too easily (Jane and John are both "JN"): for
    # them only spelling counts, as in the matching engine.
    if not nicknames and len(word) > 2 and k.sound(word) == k.sound(value):
        return MatchMethod.PHONETIC, 0.85
    similarity = JaroWinkler.normalized_similarity(word, value)
    if similarity >= _WORD_FUZZY:
        return MatchMethod.FUZZY, round(similarity * 0.9, 4)
    return None


def _name_fields(customer: k.SearchableCustomer) -> list[tuple[str, str, bool]]:
    fields = [("given_name", w, True) for w in customer.given_words]
    fields += [("middle_name", w, True) for w in k.name_words(customer.middle_name)]
    family = k.name_words(customer.family_name)
    fields += [("family_name", w, False) for w in family]
    if len(family) > 1:
        fields.append(("family_name", "".join(family), False))
    fields += [("city", w, False) for city in customer.cities for w in k.name_words(city)]
    return fields


def _match_words(words: tuple[str, ...], customer: k.SearchableCustomer) -> list[FieldMatch | None]:
    """Best field per word; a name field takes one word, a city takes as many as it has."""
    options: list[tuple[float, int, str, MatchMethod]] = []
    fields = _name_fields(customer) if words else []
    for index, word in enumerate(words):
        for field, value, nicknames in fields:
            found = _word_match(word, value, nicknames=nicknames)
            if found is not None:
                options.append((found[1], index, field, found[0]))
    options.sort(key=lambda o: (-o[0], o[1]))
    chosen: list[FieldMatch | None] = [None] * len(words)
    taken: set[str] = set()
    for similarity, index, field, method in options:
        if chosen[index] is not None or (field in taken and field != "city"):
            continue
        chosen[index] = FieldMatch(field, method, similarity, words[index])
        taken.add(field)
    return chosen


def _match_email(email: str, customer: k.SearchableCustomer) -> FieldMatch | None:
    best: FieldMatch | None = None
    local = email.partition("@")[0]
    for candidate in customer.emails:
        if candidate == email:
            return FieldMatch("email", MatchMethod.EXACT, 1.0, email)
        similarity = OSA.normalized_similarity(email, candidate)
        found = None
        if candidate.partition("@")[0] == local:
            found = FieldMatch("email", MatchMethod.PARTIAL, max(0.8, round(similarity, 4)), email)
        elif similarity >= _EMAIL_FUZZY:
            found = FieldMatch("email", MatchMethod.FUZZY, round(similarity, 4), email)
        if found is not None and (best is None or found.similarity > best.similarity):
            best = found
    return best


def _match_phone(phone: PhoneTerm, customer: k.SearchableCustomer) -> FieldMatch | None:
    best: FieldMatch | None = None
    for candidate in customer.phones:
        if phone.e164 and candidate == phone.e164:
            return FieldMatch("phone", MatchMethod.EXACT, 1.0, phone.text)
        national = k.national_number(candidate)
        if national and national == phone.national:
            found = FieldMatch("phone", MatchMethod.PARTIAL, 0.9, phone.text)
        elif national and OSA.distance(national, phone.national) <= 1:
            found = FieldMatch("phone", MatchMethod.FUZZY, 0.7, phone.text)
        else:
            continue
        if best is None or found.similarity > best.similarity:
            best = found
    return best


def _match_postcode(postcode: str, customer: k.SearchableCustomer) -> FieldMatch | None:
    stored = [normalize_postcode(p) for p in customer.postcodes]
    if postcode in stored:
        return FieldMatch("postcode", MatchMethod.EXACT, 1.0, postcode)
    district = postcode_district(postcode)
    if any(postcode_district(p) == district for p in stored if p):
        return FieldMatch("postcode", MatchMethod.PARTIAL, 0.5, postcode)
    return None


def score_customer(query: ParsedQuery, customer: k.SearchableCustomer) -> ScoredCustomer:
    """The customer's score in [0, 1] for the query, and the field each term matched."""
    terms: list[tuple[float, FieldMatch | None]] = []
    terms += [(_WEIGHT_STRONG, _match_email(e, customer)) for e in query.emails]
    terms += [(_WEIGHT_STRONG, _match_phone(p, customer)) for p in query.phones]
    terms += [(_WEIGHT_POSTCODE, _match_postcode(p, customer)) for p in query.postcodes]
    loyalty = k.identifier(customer.loyalty_id) if customer.loyalty_id else ""
    for token in query.identifiers:
        if token == loyalty:
            terms.append((_WEIGHT_STRONG, FieldMatch("loyalty_id", MatchMethod.EXACT, 1.0, token)))
        else:
            terms.append((_WEIGHT_POSTCODE, _match_postcode(token, customer)))
    terms += [(_WEIGHT_WORD, m) for m in _match_words(query.words, customer)]
    total = sum(weight for weight, _ in terms)
    credit = sum(weight * m.similarity for weight, m in terms if m is not None)
    return ScoredCustomer(
        customer_id=customer.customer_id,
        score=round(credit / total, 4) if total else 0.0,
        matches=tuple(m for _, m in terms if m is not None),
    )
