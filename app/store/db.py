"""The async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Build the engine; SQLite gets WAL mode and foreign keys on every connection."""
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
        return engine
    return create_async_engine(
        database_url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )


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

    def __init__(self, database_url: str, *, pool_size: int = 10) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, pool_size=pool_size)
        # Called after a transaction that wrote change events commits (app/events/outbox.py).
        self.events_committed: list[Callable[[], None]] = []
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, info={"c360_db": self}
        )

    def new_session(self) -> AsyncSession:
        """A session the caller must close (for sessions that outlive one block)."""
        return self._sessions()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing is committed."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def checkpoint(self) -> bool:
        """On SQLite, copy the write-ahead log into the database file and truncate the log,
        so no earlier version of a page survives in it; False if a reader kept it from
        finishing (call it again). A no-op (True) on PostgreSQL."""
        if self.engine.dialect.name != "sqlite":
            return True
        async with self.engine.connect() as connection:
            busy, _, _ = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        return busy == 0

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
