"""A graphql-transport-ws client for tests: httpx-ws over the app's ASGI interface."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from starlette.applications import Starlette

PROTOCOL = "graphql-transport-ws"
WAIT = 10.0  # generous: a bound on a hung test, never a timing assertion


class GraphQLSocket:
    """One connection: `init`, `subscribe`, then read `next` payloads per operation."""

    def __init__(self, ws: AsyncWebSocketSession) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    async def init(self, payload: dict[str, Any]) -> dict[str, Any]:
        await self.ws.send_json({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = str(next(self._ids))
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send_json({"type": "subscribe", "id": operation, "payload": payload})
        return operation

    async def receive(self) -> dict[str, Any]:
        """The next message that is not a ping (pings are answered)."""
        while True:
            message = await self.ws.receive_json(timeout=WAIT)
            if message["type"] == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            return message

    async def next_event(self, operation: str) -> dict[str, Any]:
        message = await self.receive()
        assert message["id"] == operation, message
        assert message["type"] == "next", message
        return message["payload"]

    async def refusal(self, operation: str) -> str:
        """The error code of a subscription refused before its first event (then completed)."""
        result = await self.next_event(operation)
        assert result["data"] is None, result
        assert await self.receive() == {"id": operation, "type": "complete"}
        (error,) = result["errors"]
        return error["extensions"]["code"]

    async def closed_with(self) -> int:
        """The close code the server ends the connection with."""
        try:
            while True:
                await self.ws.receive(timeout=WAIT)
        except WebSocketDisconnect as closed:
            return closed.code


@asynccontextmanager
async def open_socket(app: Starlette) -> AsyncIterator[GraphQLSocket]:
    """A WebSocket to the app's /graphql (its lifespan must be running)."""
    async with (
        httpx.AsyncClient(
            transport=ASGIWebSocketTransport(app=app), base_url="http://gateway"
        ) as client,
        aconnect_ws(
            "http://gateway/graphql",
            client,
            subprotocols=[PROTOCOL],
            keepalive_ping_interval_seconds=None,
        ) as ws,
    ):
        yield GraphQLSocket(ws)


async def subscribed(app: Starlette, count: int) -> None:
    """Wait until `count` subscribers follow events (a subscribe is handled asynchronously:
    a change committed before it is registered is not for it)."""
    async with asyncio.timeout(WAIT):
        while app.state.subscriptions.subscribers != count:
            await asyncio.sleep(0.01)
