"""The suppression list: erased people must not come back through an import, a sync or a form.

Erasure keeps, for each identifier of the person (emails, E.164 phones, national id, loyalty id,
and each (system, external id) pair), only an HMAC-SHA256 digest keyed with the secret
`C360_SUPPRESSION_PEPPER`: the list cannot be read back into identifiers, and without the pepper
it cannot even be tested against a guessed email. `is_suppressed` is the one question other code
asks before it creates or links anyone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import SuppressedError
from app.settings import Settings
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


async def is_suppressed(
    session: AsyncSession,
    settings: Settings,
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    national_ids: Iterable[str] = (),
    loyalty_ids: Iterable[str] = (),
    source_ids: Iterable[tuple[str, str]] = (),
) -> bool:
    """Whether any of these normalized identifiers belongs to an erased person.

    Call it before creating, linking or enriching anyone from outside input (imports, syncs,
    mutations); emails lower-cased, phones in E.164, source ids as (system, external id).
    """
    wanted = digests(
        settings,
        Identifiers(
            emails=list(emails),
            phones=list(phones),
            national_ids=list(national_ids),
            loyalty_ids=list(loyalty_ids),
            source_ids=list(source_ids),
        ),
    )
    return bool(await repo.known_digests(session, digests=list(wanted)))


async def refuse_suppressed(
    session: AsyncSession, settings: Settings, identifiers: Identifiers
) -> None:
    """Raise `SuppressedError` if any identifier belongs to an erased person."""
    if await is_suppressed(
        session,
        settings,
        emails=identifiers.emails,
        phones=identifiers.phones,
        national_ids=identifiers.national_ids,
        loyalty_ids=identifiers.loyalty_ids,
        source_ids=identifiers.source_ids,
    ):
        raise SuppressedError(
            "this identity belongs to a person whose data was erased; it cannot be used again"
        )


async def suppress(session: AsyncSession, settings: Settings, identifiers: Identifiers) -> int:
    """Add the identifiers' digests to the list (those already there stay); how many were new."""
    wanted = digests(settings, identifiers)
    return await repo.add_digests(session, kinds={d: k.value for d, k in wanted.items()})
