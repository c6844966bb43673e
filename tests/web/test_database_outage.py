"""A database outage: every request gets 503 JSON with a code and Retry-After; then it recovers.

The outage is real: PostgreSQL is reached through a TCP proxy the test stops (dropping every
pooled connection) and starts again; the SQLite file's folder is moved away (the pool closed)
and back. Neither needs a restart of the app.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.migrate import upgrade
from tests.conftest import BACKENDS, Gateway, running_gateway
from tests.web.test_operations import probe_client as running_app

QUERY = {"query": "{ customers(first: 1) { totalCount } }"}
MUTATION = {
    "query": 'mutation { createCustomer(input: {givenName: "Ada", familyName: "Byron"}) { id } }'
}


@dataclass
class TcpProxy:
    """Forwards a loopback port to PostgreSQL until stopped; `start` again on the same port."""

    target_port: int
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._writers -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@dataclass
class Outage:
    """Takes the gateway's database away and brings it back."""

    gateway: Gateway
    proxy: TcpProxy | None = None
    folder: Path | None = None

    async def begin(self) -> None:
        if self.proxy is not None:
            await self.proxy.stop()
            return
        assert self.folder is not None
        await self.gateway.db.engine.dispose()
        self.folder.rename(self.folder.with_name("away"))

    async def end(self) -> None:
        if self.proxy is not None:
            await self.proxy.start()
            return
        assert self.folder is not None
        self.folder.with_name("away").rename(self.folder)


@pytest.fixture(params=BACKENDS)
async def outage(request, migrated_urls, tmp_path) -> AsyncIterator[Outage]:
    if request.param not in migrated_urls:
        pytest.skip("C360_TEST_POSTGRES_URL is not set")
    proxy: TcpProxy | None = None
    folder: Path | None = None
    if request.param == "postgres":
        url = make_url(migrated_urls["postgres"])
        proxy = TcpProxy(target_port=url.port or 5432)
        await proxy.start()
        database_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
    else:
        folder = tmp_path / "store"
        folder.mkdir()
        database_url = f"sqlite+aiosqlite:///{folder}/c360.db"
        await asyncio.to_thread(upgrade, database_url)
    settings = Settings(database_url=database_url, log_json=False)
    try:
        async with running_gateway(settings) as gateway:
            yield Outage(gateway, proxy=proxy, folder=folder)
    finally:
        if proxy is not None:
            with suppress(AssertionError):
                await proxy.stop()
        if folder is not None and folder.with_name("away").exists():
            shutil.rmtree(folder.with_name("away"))


def assert_service_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-request-id"]
    body = response.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert "data" not in body
    assert "Traceback" not in response.text
    assert "127.0.0.1" not in response.text and "c360.db" not in response.text


async def test_a_key_the_gateway_has_not_cached_gets_503_then_works_again(outage):
    # given: a key that has never been used, so authenticating it needs the database
    gateway = outage.gateway
    created = await gateway.app.state.authenticator.api_keys.create(
        name="fresh", role=Role.SUPPORT_AGENT, purpose=Purpose.SUPPORT
    )
    async with gateway.new_client({"X-API-Key": created.key}) as client:
        await outage.begin()

        # when
        during = await client.post("/graphql", json=QUERY)
        await outage.end()
        after = await client.post("/graphql", json=QUERY)

    # then
    assert_service_unavailable(during)
    assert after.status_code == 200, after.text
    assert "errors" not in after.json()


@pytest.mark.parametrize("operation", [QUERY, MUTATION], ids=["query", "mutation"])
async def test_a_cached_key_gets_503_not_a_200_with_internal_then_works_again(outage, operation):
    # given: the gateway's admin key is authenticated and cached
    client = outage.gateway.client
    assert (await client.post("/graphql", json=QUERY)).status_code == 200
    await outage.begin()

    # when
    during = await client.post("/graphql", json=operation)
    readiness = await client.get("/readyz")
    await outage.end()
    after = await client.post("/graphql", json=operation)

    # then
    assert_service_unavailable(during)
    assert readiness.status_code == 503
    assert after.status_code == 200, after.text
    assert "errors" not in after.json()


async def test_a_server_that_never_answers_is_an_outage_after_the_connect_timeout():
    # given: something accepts PostgreSQL connections and then says nothing (a partition)
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/c360",
        database_connect_timeout_seconds=0.3,
        log_json=False,
    )
    key = "c360_0123456789abcdef_" + "a" * 43
    try:
        async with running_app(settings) as client:
            # when
            response = await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})
    finally:
        server.close()

    # then
    assert_service_unavailable(response)
