"""Operations routes (/healthz, /readyz, /metrics) and the request id on every response."""

from __future__ import annotations

import asyncio
import re
import socket
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from app.settings import Settings
from app.store.migrate import upgrade
from composition.asgi import create_app
from composition.cli import app as cli
from tests.conftest import (
    BACKENDS,
    LIFESPAN_LIMITS,
    POSTGRES_URL,
    drop_postgres_database,
    fresh_postgres_database,
)
from tests.graphql_client import gql


@asynccontextmanager
async def probe_client(settings):
    """A client of an app whose database may be down (so no API key can be made for it)."""
    app = create_app(settings)
    async with LifespanManager(app, **LIFESPAN_LIMITS) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


def _closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_healthz(client):
    # when
    response = await client.get("/healthz")

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_the_database_answers(client):
    # when
    response = await client.get("/readyz")

    # then
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "up", "migrations": "applied"}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_reliability_23_readyz_is_503_without_details_when_the_database_is_down(
    settings, tmp_path, backend
):
    # given
    url = (
        f"sqlite+aiosqlite:///{tmp_path}/missing-dir/c360.db"
        if backend == "sqlite"
        else f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_loopback_port()}/c360"
    )
    down = settings.model_copy(update={"database_url": url})

    # when
    async with probe_client(down) as client:
        response = await client.get("/readyz")

    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "down"}}
    assert "Traceback" not in response.text
    assert "missing-dir" not in response.text


async def test_reliability_23_readyz_recovers_without_a_restart(settings, tmp_path):
    # given: the database directory does not exist yet
    folder = tmp_path / "later"
    down = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{folder}/c360.db"})

    async with probe_client(down) as client:
        before = await client.get("/readyz")

        # when
        folder.mkdir()
        await asyncio.to_thread(upgrade, down.database_url)
        after = await client.get("/readyz")

    # then
    assert (before.status_code, after.status_code) == (503, 200)


@pytest.fixture(params=BACKENDS)
def unmigrated_url(request, tmp_path):
    """An empty database no migration has run on, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db"
        return
    if not POSTGRES_URL:
        pytest.skip("C360_TEST_POSTGRES_URL is not set")
    url = fresh_postgres_database("c360_unmigrated")
    yield url
    drop_postgres_database(url)


def test_readyz_says_migrations_pending_until_c360_db_upgrade_has_run(unmigrated_url, monkeypatch):
    # given
    settings = Settings(database_url=unmigrated_url, log_json=False)
    monkeypatch.setenv("C360_DATABASE_URL", unmigrated_url)

    async def probe() -> httpx.Response:
        async with probe_client(settings) as client:
            return await client.get("/readyz")

    # when
    before = asyncio.run(probe())
    upgraded = CliRunner().invoke(cli, ["db", "upgrade"])
    after = asyncio.run(probe())

    # then
    assert before.status_code == 503
    assert before.json()["reason"] == "migrations pending"
    assert before.json()["checks"] == {"database": "up", "migrations": "pending"}
    assert upgraded.exit_code == 0, upgraded.output
    assert after.status_code == 200
    assert after.json() == {
        "status": "ready",
        "checks": {"database": "up", "migrations": "applied"},
    }


async def test_metrics_count_requests_and_errors_by_code(client):
    # given
    await gql(client, "{ __typename }")
    await gql(client, '{ customer(id: "Q3VzdG9tZXI6bWlzc2luZw==") { id } }')

    # when
    response = await client.get("/metrics")

    # then
    assert response.status_code == 200
    assert re.search(r"^c360_graphql_requests_total\{.*\} [1-9]", response.text, re.M)
    assert re.search(r'^c360_graphql_errors_total\{code="NOT_FOUND"\} [1-9]', response.text, re.M)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/graphql"])
async def test_every_response_carries_a_request_id(client, path):
    # when
    response = await client.get(path, params={"query": "{ __typename }"})

    # then
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_valid_incoming_request_id_is_echoed(client):
    # when
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc-123.X_y"}
    )

    # then
    assert response.headers["x-request-id"] == "abc-123.X_y"


@pytest.mark.parametrize("incoming", ["has space", "x" * 65, "semi;colon"])
async def test_an_invalid_incoming_request_id_is_replaced(client, incoming):
    # when
    response = await client.get("/healthz", headers={"x-request-id": incoming})

    # then
    assert response.headers["x-request-id"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_refused_request_still_carries_a_request_id(anonymous_client):
    # when
    response = await anonymous_client.post("/graphql", json={"query": "{ __typename }"})

    # then
    assert response.status_code == 401
    assert response.headers["x-request-id"]
