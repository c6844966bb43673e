"""`c360 search reindex` fills the index of a store written before it existed."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from app.settings import Settings
from app.store.db import Database
from app.store.models import ContactPoint, Customer, SearchKey
from composition.cli import app
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()
SEARCH = "query($q: String!) { searchCustomers(query: $q) { customer { id } score } }"


def _run(url: str, work):
    async def go():
        db = Database(url, pool_size=1)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


async def _drop_keys(db: Database) -> str:
    async with db.transaction() as session:
        await session.execute(delete(SearchKey))
        return (
            await session.scalars(select(ContactPoint.value).where(ContactPoint.kind == "email"))
        ).first()


async def _customer_rows(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Customer)))


async def _key_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(SearchKey)))


def _search(url: str, query: str) -> list:
    async def read() -> list:
        async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
            body = await gql(gateway.client, SEARCH, {"q": query})
            return assert_no_errors(body)["searchCustomers"]

    return asyncio.run(read())


def test_reindex_makes_an_unindexed_store_searchable(tmp_path, monkeypatch):
    # given: a seeded store whose index is empty (as after upgrading an older store)
    url = f"sqlite+aiosqlite:///{tmp_path}/reindex.db"
    monkeypatch.setenv("C360_DATABASE_URL", url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--customers", "30"]).exit_code == 0
    email = _run(url, _drop_keys)
    assert _search(url, email) == []
    # when
    result = runner.invoke(app, ["search", "reindex"])
    # then
    assert result.exit_code == 0, result.output
    # every customer row: the 30 seeded people and the duplicates seeded as merged into them
    assert f"{_run(url, _customer_rows)} customers" in result.output
    assert _run(url, _key_count) > 30
    found = _search(url, email)
    assert found and found[0]["score"] == 1.0
