"""The Alembic migrations: they run up from an empty database and build exactly the models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.store.models  # noqa: F401  (registers the tables)
from app.store.db import create_engine
from app.store.migrate import upgrade
from tests.conftest import POSTGRES_URL, drop_postgres_database, fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/empty.db"
        return
    if not POSTGRES_URL:
        pytest.skip("C360_TEST_POSTGRES_URL is not set")
    url = fresh_postgres_database("c360_migrations")
    yield url
    drop_postgres_database(url)


def _differences(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    SQLModel.metadata,
                )
            )
        await engine.dispose()
        return diff

    return asyncio.run(compare())


def _tables(url: str) -> set[str]:
    async def names() -> set[str]:
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as connection:
            found = await connection.run_sync(lambda sync: set(sync.dialect.get_table_names(sync)))
        await engine.dispose()
        return found

    return asyncio.run(names())


def test_migrations_run_up_from_an_empty_database(empty_database_url):
    # when
    upgrade(empty_database_url)

    # then
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == _tables(empty_database_url)


def test_the_migrated_schema_matches_the_models(empty_database_url):
    # given
    upgrade(empty_database_url)

    # when
    differences = _differences(empty_database_url)

    # then
    assert differences == []


def test_upgrading_twice_changes_nothing(empty_database_url):
    # given
    upgrade(empty_database_url)

    # when
    upgrade(empty_database_url)

    # then
    assert _differences(empty_database_url) == []
