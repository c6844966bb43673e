"""The async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.store.request_work import commit_whole, track_sqlite_connections

# asyncpg waits 60 s for a server that accepts a connection but never answers (a partitioned
# network): requests would hang until their own timeout instead of being told to retry.
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0


def create_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
) -> AsyncEngine:
    """Build the engine; SQLite gets WAL mode and foreign keys on every connection, PostgreSQL
    a bound on the time to open one."""
    # Bound parameters are personal data (emails, phones): keep them out of the SQL errors
    # that reach the logs with a stack trace.
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            hide_parameters=True,
            connect_args={"timeout": 30},
            pool_size=pool_size,
            max_overflow=0,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        track_sqlite_connections(engine)
        return engine
    return create_async_engine(
        database_url,
        hide_parameters=True,
        connect_args={"timeout": connect_timeout},
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )


def _sqlite_thread_engine(database_url: str, *, pool_size: int) -> Engine:
    """A synchronous engine on the same SQLite file, for `Database.read`/`write` (threads)."""
    engine = create_sync_engine(
        database_url.replace("+aiosqlite", "", 1),
        hide_parameters=True,
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=pool_size,
        max_overflow=0,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Freed space is overwritten with zeros, so a deleted or updated row leaves no old value
    # behind in the file (erasure relies on it, with `Database.checkpoint`).
    cursor.execute("PRAGMA secure_delete=ON")
    # SQLite's default page cache is 2 MiB a connection: a store of 100,000 customers has
    # indexes of hundreds of MiB, so summaries and batch writes re-read pages through system
    # calls. 64 MiB a connection, and reads through a memory map.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


T = TypeVar("T")


def run_with_database(
    database_url: str, work: Callable[[Database], Awaitable[T]], *, pool_size: int = 1
) -> T:
    """Run `work` on a Database opened for it and disposed after (for the CLI, not the app)."""

    async def run() -> T:
        db = Database(database_url, pool_size=pool_size)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


class Database:
    """Owns the engine and hands out sessions; one per process, created in the app lifespan."""

    def __init__(
        self,
        database_url: str,
        *,
        pool_size: int = 10,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        self.url = database_url
        self.engine = create_engine(
            database_url, pool_size=pool_size, connect_timeout=connect_timeout
        )
        # Called after a transaction that wrote change events commits (app/events/outbox.py).
        self.events_committed: list[Callable[[], None]] = []
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, info={"c360_db": self}
        )
        # aiosqlite hands every driver call (cursor, execute, fetch, rollback) to its thread
        # and back: ~300 us of CPU per small read. `read` and `write` run a whole batch of
        # statements on a plain sqlite3 connection in one worker-thread hop instead (~40 us a
        # read; an audit insert and its commit: 230 us instead of 510).
        self._thread_engine: Engine | None = None
        self._threads: ThreadPoolExecutor | None = None
        if database_url.startswith("sqlite"):
            threads = max(1, min(4, pool_size))
            self._thread_engine = _sqlite_thread_engine(database_url, pool_size=threads)
            self._threads = ThreadPoolExecutor(threads, thread_name_prefix="c360-db")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing is committed."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error.

        A cancellation (the request deadline) before the commit rolls back; during it, waits
        for it (`commit_whole`): a transaction is stored whole or not at all, never unknown.
        """
        async with self._sessions() as session:
            await session.begin()
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await commit_whole(session)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run `work`, synchronous Core reads on one connection, in one trip; nothing committed.

        On SQLite `work` runs in a worker thread on a plain sqlite3 connection; on PostgreSQL
        on one pooled asyncpg connection through `run_sync` (one greenlet switch for the lot).
        """
        return await self._run(work, commit=False)

    async def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work`, synchronous Core statements, in one transaction committed in one trip."""
        return await self._run(work, commit=True)

    async def _run(self, work: Callable[[Connection], T], *, commit: bool) -> T:
        if self._thread_engine is None:
            async with self.engine.begin() if commit else self.engine.connect() as connection:
                return await connection.run_sync(work)
        engine = self._thread_engine

        def run() -> T:
            with engine.begin() if commit else engine.connect() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    async def checkpoint(self) -> bool:
        """On SQLite, copy the write-ahead log into the database file and truncate the log,
        so no earlier version of a page survives in it; False if a reader kept it from
        finishing (call it again). A no-op (True) on PostgreSQL."""
        if self.engine.dialect.name != "sqlite":
            return True
        async with self.engine.connect() as connection:
            # (busy, log pages, pages checkpointed)
            row = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        return bool(row[0] == 0)

    async def dispose(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
        if self._thread_engine is not None:
            self._thread_engine.dispose()
        await self.engine.dispose()
