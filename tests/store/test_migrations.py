"""The Alembic migrations: they run up from an empty database and build exactly the models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from app.store.db import create_engine
from app.store.migrate import upgrade
from app.store.models import (
    ContactPoint,
    Customer,
    MetricCurrent,
    MetricObservation,
    MetricPeriod,
    Preference,
)
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


def test_0009_fills_the_summary_groups_and_periods_from_existing_history(empty_database_url):
    # given: a store at 0008 with a customer, its address, preferences and three NPS answers
    upgrade(empty_database_url, "0008")
    at = datetime(2026, 1, 15, tzinfo=UTC)

    async def populate() -> None:
        engine = create_engine(empty_database_url, pool_size=1)
        async with engine.begin() as connection:
            await connection.execute(
                insert(Customer.__table__),
                [
                    {
                        "id": "c1",
                        "lifecycle_stage": "active",
                        "segment": "gold",
                        "profile_type": "person",
                        "version": 1,
                        "created_at": at,
                        "updated_at": at,
                    }
                ],
            )
            await connection.execute(
                insert(ContactPoint.__table__),
                [
                    {
                        "customer_id": "c1",
                        "kind": "address",
                        "value": "1 High St",
                        "region": "Wales",
                        "country": "GB",
                        "is_primary": True,
                        "source": "test",
                        "created_at": at,
                    }
                ],
            )
            await connection.execute(
                insert(Preference.__table__),
                [
                    {
                        "customer_id": "c1",
                        "channels": ["sms", "post"],
                        "topics": [],
                        "product_interests": [],
                        "updated_at": at,
                    }
                ],
            )
            await connection.execute(
                insert(MetricObservation.__table__),
                [
                    {
                        "customer_id": "c1",
                        "name": "nps",
                        "value": value,
                        "source": "test",
                        "observed_at": at.replace(month=month, day=day),
                    }
                    for value, month, day in ((3, 1, 10), (9, 1, 20), (10, 4, 2))
                ],
            )
            # 0006 made the current values; 0008's metric_current has no group columns yet.
            await connection.exec_driver_sql(
                "INSERT INTO metric_current (customer_id, name, value, observed_at) "
                "SELECT customer_id, name, value, observed_at FROM metric_observation "
                "WHERE value = 10"
            )
        await engine.dispose()

    async def read() -> tuple[list[Any], list[Any]]:
        engine = create_engine(empty_database_url, pool_size=1)
        async with engine.connect() as connection:
            current = (
                await connection.execute(
                    select(
                        MetricCurrent.segment,
                        MetricCurrent.lifecycle_stage,
                        MetricCurrent.region,
                        MetricCurrent.channel,
                    )
                )
            ).all()
            periods = (
                await connection.execute(
                    select(MetricPeriod.grain, MetricPeriod.period, MetricPeriod.value).order_by(
                        MetricPeriod.grain, MetricPeriod.period
                    )
                )
            ).all()
        await engine.dispose()
        return [tuple(row) for row in current], [tuple(row) for row in periods]

    asyncio.run(populate())

    # when
    upgrade(empty_database_url)

    # then: the groups are copied; each period keeps its last answer
    current, periods = asyncio.run(read())
    assert current == [("gold", "active", "Wales", "sms")]
    assert periods == [
        ("month", "2026-01", 9.0),
        ("month", "2026-04", 10.0),
        ("quarter", "2026-Q1", 9.0),
        ("quarter", "2026-Q2", 10.0),
    ]
