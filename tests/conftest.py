"""Shared fixtures: a migrated database per backend and an in-process client of the real app."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import app.store.models  # noqa: F401  (registers the tables)
from app.main import create_app
from app.settings import Settings
from app.store.db import create_engine
from app.store.migrate import upgrade

POSTGRES_URL = os.environ.get("C360_TEST_POSTGRES_URL")
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network; only loopback (the local databases) is allowed."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        # Unix sockets (str addresses) are local; IP addresses must be loopback.
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise RuntimeError(f"tests must not reach the network ({address[0]})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_database_url() -> str:
    """A fresh database for this test worker on the CI PostgreSQL server."""
    assert POSTGRES_URL
    base = make_url(POSTGRES_URL)
    name = f"c360_test_{_worker()}"

    async def recreate() -> None:
        engine = create_engine(base.render_as_string(hide_password=False), pool_size=1)
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(recreate())
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Database URLs per backend, each migrated once per test session."""
    urls: dict[str, str] = {}
    sqlite_file: Path = tmp_path_factory.mktemp("db") / "c360.db"
    urls["sqlite"] = f"sqlite+aiosqlite:///{sqlite_file}"
    if POSTGRES_URL:
        urls["postgres"] = _postgres_database_url()
    for url in urls.values():
        upgrade(url)
    yield urls


async def _empty_tables(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if url.startswith("postgresql"):
            quoted = ", ".join(f'"{name}"' for name in tables)
            await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                await connection.execute(text(f'DELETE FROM "{name}"'))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, migrated_urls: dict[str, str]) -> str:
    """A migrated, empty database on each backend (PostgreSQL only when configured)."""
    if request.param not in migrated_urls:
        pytest.skip("C360_TEST_POSTGRES_URL is not set")
    url = migrated_urls[request.param]
    await _empty_tables(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, log_json=False, default_phone_region="GB")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the real app in-process (lifespan run)."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
