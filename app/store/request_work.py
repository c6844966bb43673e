"""What one request did with the database, so that its deadline can stop it cleanly.

`tracking_database_work()` (the HTTP layer wraps each request in it) records the commits made
within it and the SQLite connections it holds. At the deadline, `interrupt_statements()` stops
its running SQLite statements: cancelling the await does not, as aiosqlite runs them on a
thread that goes on, and the rollback waits behind them (PostgreSQL needs no help: asyncpg sends
a cancel request for a cancelled query). `commit_whole` makes a commit under way finish even if
the request is cancelled, and records it: a request is then known to have changed data or not.
`finish_bookkeeping` writes a request's audit rows even when it is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

_WORK_KEY = "c360_request_work"
T = TypeVar("T")


@dataclass(eq=False)
class DatabaseWork:
    """The commits (event-loop time each began) and the SQLite connections of one request."""

    commits_started: list[float] = field(default_factory=list)
    committing: int = 0
    sqlite_connections: set[Any] = field(default_factory=set)

    def committed_before(self, moment: float) -> bool:
        """Whether a commit that began before `moment` went through."""
        return any(started < moment for started in self.commits_started)

    def interrupt_statements(self) -> None:
        """Stop the SQLite statements this request is running (they fail as "interrupted").

        Not while one of its commits is under way: that must end whole.
        """
        if self.committing:
            return
        for connection in self.sqlite_connections:
            # aiosqlite's interrupt() calls sqlite3's at once, not through the busy thread.
            asyncio.ensure_future(connection.interrupt())


_current: ContextVar[DatabaseWork | None] = ContextVar("c360_database_work", default=None)


@contextmanager
def tracking_database_work() -> Iterator[DatabaseWork]:
    """Record the database work done within the block (and the tasks it starts)."""
    work = DatabaseWork()
    token = _current.set(work)
    try:
        yield work
    finally:
        _current.reset(token)


def track_sqlite_connections(engine: AsyncEngine) -> None:
    """Let the current request's `DatabaseWork` know the SQLite connections it checks out."""

    def checked_out(_dbapi: Any, record: Any, _proxy: Any) -> None:
        work = _current.get()
        if work is not None:
            connection = record.driver_connection
            record.info[_WORK_KEY] = (work, connection)
            work.sqlite_connections.add(connection)

    def checked_in(_dbapi: Any, record: Any) -> None:
        # An invalidated record no longer names its connection: the pair was kept for this.
        work, connection = record.info.pop(_WORK_KEY, (None, None))
        if work is not None:
            work.sqlite_connections.discard(connection)

    event.listen(engine.sync_engine, "checkout", checked_out)
    event.listen(engine.sync_engine, "checkin", checked_in)


async def commit_whole(session: AsyncSession) -> None:
    """Commit; a cancellation that arrives meanwhile is absorbed and the request goes on.

    A commit cut short leaves its outcome unknown (SQLite's thread goes on and commits;
    PostgreSQL may have committed before the cancel request arrives), and a client told
    "failed" about stored data sends it again. So the commit ends whole, and the request whose
    commit straddled its deadline finishes and answers what it did.
    """
    work = _current.get()
    started = asyncio.get_running_loop().time()
    if work is not None:
        work.committing += 1
    try:
        await _to_the_end(session.commit())
    finally:
        if work is not None:
            work.committing -= 1
    if work is not None:
        work.commits_started.append(started)


async def finish_bookkeeping(work: Awaitable[T]) -> T:
    """Run a request's bookkeeping (its audit rows) to the end even if the request is cancelled.

    Its commits are not the request's changes, and its statements are not interrupted. A
    cancellation that arrived meanwhile is raised once it is done.
    """
    token = _current.set(None)
    try:
        task = asyncio.ensure_future(work)
    finally:
        _current.reset(token)
    if await _to_the_end(task):
        raise asyncio.CancelledError
    return task.result()


async def _to_the_end(work: Awaitable[Any]) -> bool:
    """Await `work` until it ends, cancelled or not; whether a cancellation came meanwhile."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            await asyncio.shield(task)
            return cancelled
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
