"""Reading a support agent's free text: emails, phones, ids and postcodes, and the words left.

"jane doe leeds", "07911 123 456", "jnae.doe@exmaple.com", "LY12345678", "LS1 4AB doe": each
piece is recognised by its shape; what is left are words (names or a town), compared later
against every name and city of a candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from app.errors import InvalidInputError
from app.identity.addresses import normalize_postcode
from app.identity.contact import try_normalize_email, try_normalize_phone
from app.search import keys as k

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# A run of digits with the usual separators, long enough to be a phone number.
_PHONE = re.compile(r"(?<![\w-])(?:\+|\()?\d[\d ().\-/]{5,}\d")
# A card number typed with its letters apart ("LY 1234 5678", "ly-12345678").
_SPACED_ID = re.compile(r"(?<![\w-])([A-Za-z]{1,4})[ -]?(\d[\d -]{3,}\d)(?![\w-])")
_UK_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\b")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class PhoneTerm:
    text: str
    e164: str  # "" when the digits are not a valid number in any reading
    national: str  # national significant number, or the bare digits


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The recognised pieces of a query, each normalized as the index stores it."""

    text: str
    emails: tuple[str, ...] = ()  # as typed, lower case (maybe misspelt, maybe invalid)
    phones: tuple[PhoneTerm, ...] = ()
    postcodes: tuple[str, ...] = ()  # normalized
    identifiers: tuple[str, ...] = ()  # loyalty ids and other letter+digit tokens
    words: tuple[str, ...] = ()  # folded words

    def lookup_keys(self) -> list[tuple[str, str, int]]:
        """(kind, key, weight) to look up: identifiers weigh more than name pairs, and a pair
        more than one word."""
        wanted: dict[tuple[str, str], int] = {}

        def add(kind: str, key: str, weight: int) -> None:
            if key:
                entry = (kind, key[: k.MAX_KEY_LENGTH])
                wanted[entry] = max(weight, wanted.get(entry, 0))

        email_words: list[str] = []
        for email in self.emails:
            add(k.EMAIL, try_normalize_email(email) or email, 8)
            local = email.partition("@")[0]
            add(k.EMAIL_LOCAL, local, 4)
            for kind, key in k.misspelt_email_keys(email):
                add(kind, key, 3)
            email_words += [w for w in re.split(r"[^a-z]+", local) if len(w) > 1]
        for phone in self.phones:
            add(k.PHONE, phone.e164, 8)
            add(k.PHONE_NATIONAL, phone.national, 6)
        for postcode in (*self.postcodes, *self.identifiers):
            add(k.POSTCODE, postcode, 2)
            for word in self.words:
                add(k.FAMILY_POSTCODE, f"{word}|{postcode}", 4)
        for token in self.identifiers:
            add(k.LOYALTY, token, 8)
        for kind, key in k.word_pair_keys(self.words):
            add(kind, key, 3)
        # A misspelt address often still spells the name ("jane.doe@..."): weak name evidence.
        for kind, key in k.word_pair_keys(email_words):
            add(kind, key, 1)
        for word in self.words:
            add(k.FAMILY, word, 1)
            add(k.FAMILY_SOUND, k.sound(word), 1)
        return [(kind, key, weight) for (kind, key), weight in wanted.items()]


def _phone_term(text: str, default_region: str) -> PhoneTerm | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return None
    e164 = try_normalize_phone(text, default_region) or ""
    if e164:
        return PhoneTerm(text=text.strip(), e164=e164, national=k.national_number(e164))
    # Not a valid number as typed (a wrong country code, a digit short): its national digits
    # may still be someone's.
    try:
        national = phonenumbers.national_significant_number(
            phonenumbers.parse(text, default_region.upper())
        )
    except phonenumbers.NumberParseException:
        national = digits.lstrip("0")
    return PhoneTerm(text=text.strip(), e164="", national=national)


def parse_query(text: str, *, default_region: str) -> ParsedQuery:
    """Split a free-text query into its pieces; `InvalidInputError` when it says nothing."""
    stripped = " ".join(text.split())
    if not stripped:
        raise InvalidInputError("the search query is empty", field="query")
    if len(stripped) > MAX_QUERY_LENGTH:
        raise InvalidInputError(
            f"the search query is longer than {MAX_QUERY_LENGTH} characters", field="query"
        )
    rest = stripped
    emails = [m.group(0).lower() for m in _EMAIL.finditer(rest)]
    rest = _EMAIL.sub(" ", rest)
    identifiers: list[str] = []
    for match in _SPACED_ID.finditer(rest):
        identifiers.append(k.identifier(match.group(0)))
        rest = rest.replace(match.group(0), " ", 1)
    phones = []
    for match in _PHONE.finditer(rest):
        term = _phone_term(match.group(0), default_region)
        if term is not None:
            phones.append(term)
            if not term.e164 and match.group(0).isdigit():
                identifiers.append(match.group(0))  # or a card number
            rest = rest.replace(match.group(0), " ", 1)
    postcodes = []
    for match in _UK_POSTCODE.finditer(rest):
        postcodes.append(normalize_postcode(match.group(0)))
        rest = rest.replace(match.group(0), " ", 1)
    words: list[str] = []
    for token in _TOKEN.findall(rest):
        if any(ch.isdigit() for ch in token):
            ident = k.identifier(token)
            if ident.isdigit() and len(ident) < 4:
                continue  # a house or flat number says nothing on its own
            if ident.isdigit() and len(ident) <= 6:
                postcodes.append(ident)  # ZIP, Postleitzahl, code postal
            elif ident:
                identifiers.append(ident)
        else:
            words += k.name_words(token)
    if not (emails or phones or postcodes or identifiers or words):
        raise InvalidInputError("the search query has nothing to search for", field="query")
    return ParsedQuery(
        text=stripped,
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(phones),
        postcodes=tuple(dict.fromkeys(postcodes)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        words=tuple(dict.fromkeys(words))[:MAX_WORDS],
    )
