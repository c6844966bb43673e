"""The suppression list: erased people must not come back through an import, a sync or a form.

Erasure keeps, for each identifier of the person (emails, E.164 phones, national id, loyalty id,
and each (system, external id) pair), only an HMAC-SHA256 digest keyed with the secret
`C360_SUPPRESSION_PEPPER`: the list cannot be read back into identifiers, and without the pepper
it cannot even be tested against a guessed email.

The rule: an identifier on the list may be used only by a live customer who already holds it.
Housemates share a phone, a family shares an email: erasing one of them must not block the
others, so what a live customer holds stays theirs (consents, contact points, records that
resolve to them); every other use (a new customer, adding it to someone who does not hold it,
a record that does not resolve to a holder) is refused. `suppressed_among` answers which
identifiers are on the list; `refuse_suppressed` applies the rule to a request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import SuppressedError
from app.settings import Settings
from app.store.models import ContactPoint, SourceLink
from app.store.repositories import subject_data
from app.store.repositories import suppression as repo


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    LOYALTY_ID = "loyalty_id"
    SOURCE_ID = "source_id"


@dataclass(frozen=True, slots=True)
class Identifiers:
    """A person's normalized identifiers (lower-cased emails, E.164 phones, ...)."""

    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    national_ids: Sequence[str] = ()
    loyalty_ids: Sequence[str] = ()
    source_ids: Sequence[tuple[str, str]] = ()

    def canonical(self) -> list[tuple[IdentifierKind, str]]:
        """Each identifier in the one form that is hashed (spaces and case never matter)."""
        out = [(IdentifierKind.EMAIL, e.strip().lower()) for e in self.emails]
        out += [(IdentifierKind.PHONE, p.strip()) for p in self.phones]
        out += [(IdentifierKind.NATIONAL_ID, _compact(n)) for n in self.national_ids]
        out += [(IdentifierKind.LOYALTY_ID, _compact(n)) for n in self.loyalty_ids]
        out += [
            (IdentifierKind.SOURCE_ID, f"{system.strip().lower()}:{external_id.strip()}")
            for system, external_id in self.source_ids
        ]
        return [(kind, value) for kind, value in dict.fromkeys(out) if value]


def _compact(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _digest(pepper: bytes, kind: IdentifierKind, value: str) -> str:
    return hmac.new(pepper, f"{kind.value}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def digests(settings: Settings, identifiers: Identifiers) -> dict[str, IdentifierKind]:
    """The keyed digest of each identifier, and its kind."""
    pepper = settings.suppression_pepper.get_secret_value().encode()
    return {_digest(pepper, kind, value): kind for kind, value in identifiers.canonical()}


Identifier = tuple[IdentifierKind, str]
"""An identifier in canonical form: its kind and the value that is hashed."""


async def suppressed_among(
    session: AsyncSession, settings: Settings, identifiers: Identifiers
) -> frozenset[Identifier]:
    """Which of these identifiers (canonical form) belong to an erased person."""
    pepper = settings.suppression_pepper.get_secret_value().encode()
    canonical = identifiers.canonical()
    by_digest = {_digest(pepper, kind, value): (kind, value) for kind, value in canonical}
    known = await repo.known_digests(session, digests=list(by_digest))
    return frozenset(by_digest[digest] for digest in known)


async def identifiers_of(session: AsyncSession, customer_ids: Sequence[str]) -> Identifiers:
    """Every identifier these customers hold: emails, phones, national and loyalty ids, links."""
    rows = await subject_data.customers_by_ids(session, ids=customer_ids)
    points = await subject_data.rows_of(session, ContactPoint, customer_ids=customer_ids)
    links = await subject_data.rows_of(session, SourceLink, customer_ids=customer_ids)
    return Identifiers(
        emails=[p.value for p in points if p.kind == "email"],
        phones=[p.value for p in points if p.kind == "phone"],
        national_ids=[r.national_id for r in rows if r.national_id],
        loyalty_ids=[r.loyalty_id for r in rows if r.loyalty_id],
        source_ids=[(link.system, link.external_id) for link in links],
    )


async def refuse_suppressed(
    session: AsyncSession,
    settings: Settings,
    identifiers: Identifiers,
    *,
    holder: str | None = None,
) -> None:
    """Raise `SuppressedError` if an identifier belongs to an erased person, unless `holder`
    (the live customer the request is for) already holds it."""
    found = await suppressed_among(session, settings, identifiers)
    if found and holder is not None:
        found -= set((await identifiers_of(session, [holder])).canonical())
    if found:
        raise SuppressedError(
            "this identity belongs to a person whose data was erased; it cannot be used again"
        )


async def suppress(session: AsyncSession, settings: Settings, identifiers: Identifiers) -> int:
    """Add the identifiers' digests to the list (those already there stay); how many were new."""
    wanted = digests(settings, identifiers)
    return await repo.add_digests(session, kinds={d: k.value for d, k in wanted.items()})
