"""Running the Alembic migrations from code (`c360 db upgrade`, the demo and the tests)."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (blocking; call from sync code)."""
    command.upgrade(alembic_config(database_url), revision)
    if database_url.startswith("sqlite"):
        # SQLite has no autovacuum to gather statistics; PostgreSQL gathers its own.
        refresh_statistics(database_url)


def refresh_statistics(database_url: str) -> None:
    """Give the query planner fresh table statistics (after migrations, after a bulk seed).

    Without them SQLite picks an index by the WHERE clause alone: the customer list's
    `merged_into IS NULL` (true of nearly every row) over the index on its ORDER BY, and
    then sorts every customer: 25 ms per page at 100,000 customers instead of 0.3 ms.
    PostgreSQL right after a bulk load (before autovacuum gets to it) does the same.
    """
    asyncio.run(_analyze(database_url))


async def _analyze(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            if database_url.startswith("sqlite"):
                # Bounded sampling keeps this fast on any size, except for `customer`, whose
                # unselective `merged_into` needs a full count to be seen as unselective.
                await connection.exec_driver_sql("PRAGMA analysis_limit=1000")
                await connection.exec_driver_sql("ANALYZE")
                await connection.exec_driver_sql("PRAGMA analysis_limit=0")
                await connection.exec_driver_sql("ANALYZE customer")
            else:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


@cache
def head_revisions() -> frozenset[str]:
    """The revisions a fully migrated database is at (the heads of our migration scripts)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def migrations_pending(engine: AsyncEngine) -> bool:
    """Whether the database is not at the head revisions (never migrated, or behind)."""
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
    return frozenset(current) != head_revisions()
