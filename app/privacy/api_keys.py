"""API keys: issue, list, revoke, and authenticate them (with a short in-process cache).

A key reads `c360_<key id>_<secret>`. Only its SHA-256 hash is stored, so the plaintext is shown
once, at creation. Authenticated keys are cached per process for a short TTL so that a request
does not cost a database query; revoking through this service clears the local cache at once,
other processes notice within the TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import InvalidInputError, NotFoundError, UnauthenticatedError
from app.privacy.principals import Principal, Purpose, Role
from app.store.db import Database
from app.store.models import ApiKey
from app.store.repositories import api_keys as repo
from app.store.types import utcnow

KEY_PREFIX = "c360_"
_KEY_ID_BYTES = 8
_SECRET_BYTES = 32
# token_hex(8) gives 16 hex digits; token_urlsafe(32) gives 43 base64url characters.
_KEY_FORMAT = re.compile(r"^c360_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_MAX_NAME_LENGTH = 128
_MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    """A new key's row and its plaintext, which exists only here and is never stored."""

    record: ApiKey
    key: str


def hash_key(key: str) -> str:
    """The stored form of a key: its SHA-256 hex digest (the secret has 256 bits of entropy,
    so a fast hash is enough; a password hash would only slow every cache miss)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    key_id = secrets.token_hex(_KEY_ID_BYTES)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"


def _principal_of(row: ApiKey) -> Principal:
    return Principal(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        purpose=Purpose(row.purpose),
        subject=row.subject,
        via="api_key",
    )


class _PrincipalCache:
    """Principals of recently authenticated keys, by key hash, each for `ttl` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expires_at, principal = entry
        if expires_at <= self._clock():
            del self._entries[digest]
            return None
        return principal

    def put(self, digest: str, principal: Principal) -> None:
        if self._ttl <= 0:
            return
        if len(self._entries) >= _MAX_CACHED_KEYS:
            # Bounded memory: drop the oldest entry (dicts keep insertion order).
            del self._entries[next(iter(self._entries))]
        self._entries[digest] = (self._clock() + self._ttl, principal)

    def forget(self, key_id: str) -> None:
        stale = [digest for digest, (_, p) in self._entries.items() if p.id == key_id]
        for digest in stale:
            del self._entries[digest]


class ApiKeyService:
    """Issues and checks API keys against the master store."""

    def __init__(
        self,
        db: Database,
        *,
        cache_ttl_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self._cache = _PrincipalCache(cache_ttl_seconds, clock)

    async def create(
        self, *, name: str, role: Role, purpose: Purpose, subject: str | None = None
    ) -> CreatedApiKey:
        """Store a new key and return it with its plaintext (shown to the caller once)."""
        name = name.strip()
        if not name or len(name) > _MAX_NAME_LENGTH:
            raise InvalidInputError(f"a key name must have 1 to {_MAX_NAME_LENGTH} characters")
        if role is Role.CUSTOMER and not subject:
            raise InvalidInputError("a customer key needs a subject (the customer id)")
        if role is not Role.CUSTOMER and subject is not None:
            raise InvalidInputError("only a customer key has a subject")
        key_id, key = _new_key()
        row = ApiKey(
            id=key_id,
            name=name,
            role=role.value,
            purpose=purpose.value,
            subject=subject,
            hash=hash_key(key),
        )
        async with self.db.transaction() as session:
            if subject is not None and not await repo.is_live_customer(
                session, customer_id=subject
            ):
                raise InvalidInputError("the subject is not a live customer id")
            repo.add_api_key(session, key=row)
        return CreatedApiKey(record=row, key=key)

    async def list_keys(self, *, include_revoked: bool = True) -> list[ApiKey]:
        """Every key's row (hashes included: callers must not show them)."""
        async with self.db.session() as session:
            return await repo.list_api_keys(session, include_revoked=include_revoked)

    async def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (idempotent) and forget it in this process's cache."""
        async with self.db.transaction() as session:
            row = await repo.get_api_key(session, key_id=key_id)
            if row is None:
                raise NotFoundError("no API key with that id", id=key_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
        self._cache.forget(key_id)
        return row

    def forget(self, key_ids: list[str]) -> None:
        """Stop trusting these keys in this process at once (they were deleted: erasure)."""
        for key_id in key_ids:
            self._cache.forget(key_id)

    async def revoke_named_like(self, prefix: str) -> list[str]:
        """Revoke every active key whose name starts with `prefix`; their ids."""
        async with self.db.session() as session:
            rows = await repo.active_keys_named_like(session, prefix=prefix)
        for row in rows:
            await self.revoke(row.id)
        return [row.id for row in rows]

    async def authenticate(self, key: str) -> Principal:
        """The principal of a valid, unrevoked key; `UnauthenticatedError` otherwise."""
        match = _KEY_FORMAT.match(key)
        if match is None:
            raise UnauthenticatedError("the API key is malformed")
        digest = hash_key(key)
        cached = self._cache.get(digest)
        if cached is not None:
            return cached
        async with self.db.transaction() as session:
            row = await repo.get_api_key(session, key_id=match.group(1))
            # Key ids are not secret (`c360 keys list` shows them), so an early return on an
            # unknown id leaks nothing; the hash itself is compared in constant time.
            if row is None or not hmac.compare_digest(row.hash, digest):
                raise UnauthenticatedError("the API key is not valid")
            if row.revoked_at is not None:
                raise UnauthenticatedError("the API key has been revoked")
            await repo.mark_used(session, key_id=row.id, at=utcnow())
        principal = _principal_of(row)
        self._cache.put(digest, principal)
        return principal
