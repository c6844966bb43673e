"""The search keys of a customer and of a query: one derivation, so both sides always agree.

Keys are (kind, key) pairs. Name keys pair two words (given + family, family + city) so that a
lookup returns a handful of people even over millions; single-word keys (a family name alone)
are broad and are looked up with a small limit. Names go through the matching engine's
normalizers: accents folded, nicknames to the formal name, metaphone for the sound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import phonenumbers

from app.identity.addresses import normalize_postcode
from app.identity.nicknames import formal_given_name
from app.identity.text import fold

NAME = "name"  # formal given name | family name
NAME_SOUND = "name_sound"  # their metaphones
FAMILY_CITY = "family_city"  # family name | a word of a city
FAMILY = "family"
FAMILY_SOUND = "family_sound"
EMAIL = "email"
EMAIL_LOCAL = "email_local"
EMAIL_HEAD = "email_head"  # first half of the local part @ domain
EMAIL_TAIL = "email_tail"  # second half of the local part @ domain
PHONE = "phone"  # E.164
PHONE_NATIONAL = "phone_national"  # national significant number, digits only
POSTCODE = "postcode"
FAMILY_POSTCODE = "family_postcode"  # family name | normalized postcode
BROAD_KINDS = frozenset({FAMILY, FAMILY_SOUND})
"""Kinds one word makes: many customers share them, so lookups take only a few of each."""
LOYALTY = "loyalty"

MAX_KEY_LENGTH = 256


@lru_cache(maxsize=131_072)
def sound(word: str) -> str:
    """The metaphone of a folded word ("" for none)."""
    return jellyfish.metaphone(word).upper() if word else ""


def name_words(raw: str | None) -> list[str]:
    """The folded words of a name or city ("Zoë O'Brien-Müller" -> zoe, obrien, muller)."""
    return fold(raw).split() if raw else []


def identifier(raw: str) -> str:
    """An id as typed with or without spaces and dashes, upper-cased ("ly 1234-5" -> LY12345)."""
    return "".join(ch for ch in raw if ch.isalnum()).upper()


def national_number(e164: str) -> str:
    """The national significant number of an E.164 phone ("" when it cannot be parsed)."""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return ""


@dataclass(frozen=True, slots=True)
class SearchableCustomer:
    """What the index and the scorer read of a customer: golden names and contact values."""

    customer_id: str
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    loyalty_id: str | None = None
    emails: tuple[str, ...] = ()  # normalized (lower case)
    phones: tuple[str, ...] = ()  # E.164
    cities: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()

    @property
    def given_words(self) -> list[str]:
        return name_words(self.given_name)

    @property
    def family_key(self) -> str:
        """The family name as one folded word ("van der Berg" -> vanderberg)."""
        return "".join(name_words(self.family_name))


def customer_keys(customer: SearchableCustomer) -> set[tuple[str, str]]:
    """Every (kind, key) the customer should be found by."""
    keys: set[tuple[str, str]] = set()
    family = customer.family_key
    givens = customer.given_words
    formal = formal_given_name(givens[0]) if givens else ""
    if family:
        keys.add((FAMILY, family))
        keys.add((FAMILY_SOUND, sound(family)))
        if formal:
            keys.add((NAME, f"{formal}|{family}"))
            keys.add((NAME_SOUND, f"{sound(formal)}|{sound(family)}"))
        for city in customer.cities:
            for word in name_words(city):
                keys.add((FAMILY_CITY, f"{family}|{word}"))
    for email in customer.emails:
        keys.add((EMAIL, email))
        keys.add((EMAIL_LOCAL, email.partition("@")[0]))
        keys.update(email_half_keys(email))
    for phone in customer.phones:
        keys.add((PHONE, phone))
        national = national_number(phone)
        if national:
            keys.add((PHONE_NATIONAL, national))
    for postcode in customer.postcodes:
        normalized = normalize_postcode(postcode)
        if normalized:
            keys.add((POSTCODE, normalized))
            if family:
                keys.add((FAMILY_POSTCODE, f"{family}|{normalized}"))
    if customer.loyalty_id:
        keys.add((LOYALTY, identifier(customer.loyalty_id)))
    return {(kind, key[:MAX_KEY_LENGTH]) for kind, key in keys if key}


def email_half_keys(email: str) -> set[tuple[str, str]]:
    """The halves of an address's local part, each with the domain: one typo spares one half."""
    local, _, domain = email.partition("@")
    if len(local) < 4 or not domain:
        return set()
    half = len(local) // 2
    return {(EMAIL_HEAD, f"{local[:half]}@{domain}"), (EMAIL_TAIL, f"{local[half:]}@{domain}")}


def misspelt_email_keys(email: str) -> set[tuple[str, str]]:
    """The half keys an address one typo (insert, delete, swap, replace) away would have."""
    local, _, domain = email.partition("@")
    keys: set[tuple[str, str]] = set()
    for length in (len(local) - 1, len(local), len(local) + 1):
        if length < 4 or not domain:
            continue
        half = length // 2
        keys.add((EMAIL_HEAD, f"{local[:half]}@{domain}"))
        keys.add((EMAIL_TAIL, f"{local[len(local) - (length - half) :]}@{domain}"))
    return keys


def word_pair_keys(words: Iterable[str]) -> set[tuple[str, str]]:
    """The name keys a query's words could hit: every ordered pair as given/family, family/city."""
    unique = list(dict.fromkeys(words))
    keys: set[tuple[str, str]] = set()
    for first in unique:
        formal = formal_given_name(first)
        for second in unique:
            if first == second:
                continue
            keys.add((NAME, f"{formal}|{second}"))
            keys.add((NAME_SOUND, f"{sound(formal)}|{sound(second)}"))
            keys.add((FAMILY_CITY, f"{first}|{second}"))
    return keys
