"""Shared fixtures: a migrated database per backend and an in-process client of the real app."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel
from starlette.applications import Starlette

import app.store.models  # noqa: F401  (registers the tables)
import schema.customers.queries
from app.logs import configure_logging
from app.privacy.authentication import API_KEY_HEADER
from app.privacy.principals import Purpose, Role, parse_purpose, parse_role
from app.settings import Settings
from app.store.db import Database, create_engine
from app.store.migrate import upgrade
from composition.asgi import create_app

POSTGRES_URL = os.environ.get("C360_TEST_POSTGRES_URL")
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
BASE_URL = "http://gateway"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs on PostgreSQL (C360_TEST_POSTGRES_URL)")


@pytest.fixture(scope="session", autouse=True)
def _plain_logs() -> None:
    """Warnings and errors only, as JSON lines: rendering rich tracebacks costs seconds a test."""
    configure_logging("WARNING", json=True)


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


@pytest.fixture
def all_logs() -> Iterator[Callable[[], str]]:
    """Every log line the app writes (DEBUG and up, JSON), as one string; restored afterwards."""
    stream = io.StringIO()
    # The handler keeps the stream it was given; stderr itself is restored at once.
    with contextlib.redirect_stderr(stream):
        configure_logging("DEBUG", json=True)
    try:
        yield stream.getvalue
    finally:
        configure_logging("WARNING", json=True)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:10]


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `fresh_postgres_database` (at the end of the session)."""
    target = make_url(url)
    admin = make_url(POSTGRES_URL or url)

    async def drop() -> None:
        engine = create_engine(admin.render_as_string(hide_password=False), pool_size=1)
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(
                text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
            )
        await engine.dispose()

    asyncio.run(drop())


def fresh_postgres_database(prefix: str = "c360_test") -> str:
    """A fresh, empty database for this test worker on the CI PostgreSQL server."""
    assert POSTGRES_URL
    base = make_url(POSTGRES_URL)
    # Unique per test run as well as per worker: two runs on one server must not collide.
    name = f"{prefix}_{RUN_ID}_{_worker()}"

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
        urls["postgres"] = fresh_postgres_database()
    for url in urls.values():
        upgrade(url)
    yield urls
    if "postgres" in urls:
        drop_postgres_database(urls["postgres"])


async def _empty_tables(url: str) -> None:
    """Delete every row, children first, and restart PostgreSQL's sequences.

    DELETE, not TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE of ~40 tables
    makes new files for each (0.56 s a test, the largest cost of the suite); DELETE takes ~20 ms.
    """
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    if not url.startswith("postgresql"):
        # One plain sqlite3 script: an async engine per test cost ~30 ms of CPU for this.
        with contextlib.closing(sqlite3.connect(make_url(url).database or "")) as connection:
            connection.executescript(
                "BEGIN;" + "".join(f'DELETE FROM "{name}";' for name in tables) + "COMMIT;"
            )
        return
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as connection:
        for name in tables:
            await connection.execute(text(f'DELETE FROM "{name}"'))
        await connection.execute(
            text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'")
        )
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


# asgi-lifespan gives an app 5 s to start and to stop; a suite sharing two cores with other
# work took longer at times (the stop waits for the background tasks). A hang still fails.
LIFESPAN_LIMITS = {"startup_timeout": 30, "shutdown_timeout": 30}


@dataclass(frozen=True)
class Gateway:
    """The app under test (lifespan running) and an in-process HTTP client speaking to it.

    `client` is authenticated as an admin; `headers_for` and `new_client` give any other caller.
    """

    app: Starlette
    client: httpx.AsyncClient

    @property
    def db(self) -> Database:
        """The app's own Database (its engine is the one the requests use)."""
        return self.app.state.db

    async def headers_for(
        self, role: Role | str, purpose: Purpose | str, subject: str | None = None
    ) -> dict[str, str]:
        """Headers of a new API key with this role, purpose and (customer role) subject.

        They use `X-API-Key`, so passed per request they replace the client's admin key. The key
        is authenticated once here, so requests (and tests counting SQL statements) find it in
        the key cache and pay no authentication query.
        """
        role, purpose = parse_role(role), parse_purpose(purpose)
        authenticator = self.app.state.authenticator
        created = await authenticator.api_keys.create(
            name=f"test-{role}-{purpose}", role=role, purpose=purpose, subject=subject
        )
        headers = {API_KEY_HEADER: created.key}
        await authenticator.authenticate(headers)
        return headers

    def new_client(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        """Another client of the same app (no credentials unless given); the caller closes it."""
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    """Start the real app with `settings` and yield it with an admin client (per-test settings)."""
    app = create_app(settings)
    async with LifespanManager(app, **LIFESPAN_LIMITS) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            gateway = Gateway(app=app, client=client)
            client.headers.update(await gateway.headers_for(Role.ADMIN, Purpose.ADMINISTRATION))
            yield gateway


@pytest.fixture
async def gateway(settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(settings) as running:
        yield running


@pytest.fixture
def client(gateway: Gateway) -> httpx.AsyncClient:
    """An HTTP client speaking to the real app in-process (lifespan run), as an admin."""
    return gateway.client


HeadersFactory = Callable[..., Awaitable[dict[str, str]]]
ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def principal_headers(gateway: Gateway) -> HeadersFactory:
    """`await principal_headers(role, purpose, subject=None)`: headers to send as that caller."""
    return gateway.headers_for


@pytest.fixture
async def client_for(gateway: Gateway) -> AsyncIterator[ClientFactory]:
    """`await client_for(role, purpose, subject=None)`: a client that calls as that principal."""
    async with AsyncExitStack() as stack:

        async def make(
            role: Role | str, purpose: Purpose | str, subject: str | None = None
        ) -> httpx.AsyncClient:
            headers = await gateway.headers_for(role, purpose, subject)
            return await stack.enter_async_context(gateway.new_client(headers))

        yield make


@pytest.fixture
async def anonymous_client(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app that sends no credentials."""
    async with gateway.new_client() as client:
        yield client


@pytest.fixture
def list_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records every call of the `customers` resolver's service (to prove no resolver ran)."""
    calls: list[dict[str, Any]] = []
    real = schema.customers.queries.list_customers

    async def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return await real(*args, **kwargs)

    monkeypatch.setattr(schema.customers.queries, "list_customers", spy)
    return calls


@pytest.fixture
def db(gateway: Gateway) -> Database:
    """The running app's Database, for arrange steps that write rows GraphQL cannot write yet."""
    return gateway.db
