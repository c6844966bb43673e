"""The network transport of `SourceClient` (aiohttp behind httpx) over a real loopback socket."""

from __future__ import annotations

import asyncio
import socket

import pytest

from connectors.errors import SourceDownError, SourceTimeoutError
from connectors.http import SourceClient
from tests.connectors.conftest import fast_settings

BODY = b'{"results": [{"id": "1"}]}'


async def _http_server(
    reply: bytes | None, seen: list[bytes]
) -> tuple[asyncio.base_events.Server, str]:
    """A one-line HTTP/1.1 server on a free loopback port; `reply=None` never answers."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n"):
            seen.append(head)
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            if reply is None:
                await asyncio.sleep(10)
            writer.write(reply or b"")
            await writer.drain()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def _ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )


async def test_calls_reuse_one_pooled_connection_and_decode_json() -> None:
    # given
    seen: list[bytes] = []
    server, url = await _http_server(_ok(BODY), seen)
    client = SourceClient(fast_settings("hubspot", base_url=url), headers={"X-Token": "t"})
    # when
    try:
        first = await client.get("/crm/v3/objects", params={"limit": 1})
        second = await client.post("/crm/v3/search", json={"q": "x"}, idempotent=True)
    finally:
        await client.aclose()
        server.close()
    # then
    assert first == second == {"results": [{"id": "1"}]}
    assert len(seen) == 2
    assert seen[0].startswith(b"GET /crm/v3/objects?limit=1 HTTP/1.1")
    assert b"x-token: t" in seen[1].lower()
    assert client.upstream_requests == 2


async def test_refused_connection_is_source_unavailable() -> None:
    # given: a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SourceClient(fast_settings("odoo", base_url=f"http://127.0.0.1:{port}"))
    # when / then
    try:
        with pytest.raises(SourceDownError, match="connection refused"):
            await client.get("/jsonrpc")
    finally:
        await client.aclose()


async def test_an_unknown_host_is_named_as_such_not_as_a_timeout(monkeypatch) -> None:
    # given: name resolution fails (as for a typo in the base URL)
    async def unknown(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", unknown)
    client = SourceClient(fast_settings("odoo", base_url="http://odoo.invalid"))
    # when / then
    try:
        with pytest.raises(SourceDownError, match="unknown host"):
            await client.get("/jsonrpc")
    finally:
        await client.aclose()


async def test_a_silent_source_times_out_within_the_budget() -> None:
    # given
    server, url = await _http_server(None, [])
    client = SourceClient(fast_settings("surveymonkey", base_url=url))
    # when / then
    try:
        with pytest.raises(SourceTimeoutError):
            await client.get("/v3/surveys")
    finally:
        await client.aclose()
        server.close()
