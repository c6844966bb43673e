"""A webhook receiver for tests: keeps what it is sent, answers as told, verifies like a
Standard Webhooks receiver; in-process (an ASGI app) or served on a loopback port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

WAIT = 10.0  # a bound on a hung test, never a timing assertion


class Receiver:
    """A webhook receiver: answers `status`, keeps what it was sent. While `holding` is set,
    it keeps each request it is sent, then leaves it unanswered until `release`."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.holding = False
        self.unanswered = 0
        self._released = asyncio.Event()
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        if self.holding:
            self.unanswered += 1
            await self._released.wait()
        return Response(status_code=self.status)

    def release(self) -> None:
        """Answer the held requests (their senders may be gone) and hold no more."""
        self.holding = False
        self._released.set()

    def accepted(self, secret: str) -> list[dict[str, Any]]:
        """The verified payloads, once per webhook-id (as a receiver deduplicates)."""
        seen: dict[str, dict[str, Any]] = {}
        for headers, body in self.received:
            seen.setdefault(headers["webhook-id"], Webhook(secret).verify(body, headers))
        return list(seen.values())

    async def wait_for(self, count: int, wait: float = WAIT) -> None:
        async with asyncio.timeout(wait):
            while len(self.received) < count:
                await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve the receiver on a loopback port for the block; yields its hook's URL."""
    port = free_port()
    config = uvicorn.Config(receiver.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        receiver.release()
        server.should_exit = True
        await task
