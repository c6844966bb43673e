"""The audit log: writing a request's reads and changes, and reading a customer's trail.

Audit rows are written by group commit: each request hands its rows to the database's
`AuditWriter` and waits until the transaction holding them has committed. While one
transaction is in flight, the rows of the requests ending meanwhile gather for the next, so
under load many requests share one commit; alone, a request pays for its own at once. A request
returns its data only once its rows are stored ("no audit written, no data returned").
"""

from __future__ import annotations

import asyncio
import weakref
from functools import partial
from typing import Any

from sqlalchemy import Connection, Table, insert

from app.pagination import Page
from app.privacy.access import RequestAccess
from app.store.db import Database
from app.store.models import AuditEvent
from app.store.repositories import audit as repo
from app.store.types import utcnow

_AUDIT_EVENT: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(_AUDIT_EVENT)


def _insert(rows: list[dict[str, Any]], connection: Connection) -> None:
    connection.execute(_INSERT, rows)


Rows = list[dict[str, Any]]


class AuditWriter:
    """Writes the audit rows of concurrent requests in shared transactions (one database)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[Rows, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, rows: Rows) -> None:
        """Return once `rows` are committed; raise if their transaction failed."""
        future = asyncio.get_running_loop().create_future()
        # A request cancelled while waiting leaves its rows to be written anyway; its outcome
        # is then read here, so an error nobody waits for is not reported as lost.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._pending.append((rows, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # requests ending in this same tick join the batch
            batch, self._pending = self._pending, []
            now = utcnow()
            rows = [{**row, "occurred_at": now} for rows, _ in batch for row in rows]
            try:
                await self.db.write(partial(_insert, rows))
            except Exception as error:  # noqa: BLE001  (handed to every waiting request)
                outcome: BaseException | None = error
            else:
                outcome = None
            for _, future in batch:
                if future.done():
                    continue
                if outcome is None:
                    future.set_result(None)
                else:
                    future.set_exception(outcome)


_writers: weakref.WeakKeyDictionary[Database, AuditWriter] = weakref.WeakKeyDictionary()


def audit_writer(db: Database) -> AuditWriter:
    """The group-commit writer of `db` (one per database, made on first use)."""
    writer = _writers.get(db)
    if writer is None:
        writer = _writers[db] = AuditWriter(db)
    return writer


async def write_request_audit(db: Database, access: RequestAccess) -> None:
    """Persist what the request read raw and changed (nothing if it touched no personal data)."""
    rows = access.audit_rows()
    if rows:
        await audit_writer(db).write(rows)


async def audit_trail(
    db: Database,
    *,
    customer_id: str,
    first: int,
    after: str | None,
    reads_only: bool = False,
) -> Page[AuditEvent]:
    """Who read or changed the customer's record, newest first."""
    async with db.session() as session:
        return await repo.trail(
            session,
            customer_id=customer_id,
            first=first,
            after=after,
            actions=("read",) if reads_only else None,
        )
