"""Proving a caller gave up on a stalled upstream: by state, not by timing its answer."""

from __future__ import annotations

import asyncio

import httpx

WAIT = 10.0  # a bound on a hung test, never a timing assertion


class CancellationRecorder(httpx.AsyncBaseTransport):
    """A transport in front of another that counts the requests it forwards: those answered,
    those that failed, and those whose caller gave up waiting (cancelled them)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.started = 0
        self.answered = 0
        self.failed = 0
        self.cancelled = 0
        self._ended = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.started += 1
        try:
            response = await self.inner.handle_async_request(request)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        except Exception:
            self.failed += 1
            raise
        else:
            self.answered += 1
            return response
        finally:
            self._ended.set()

    async def settled(self) -> None:
        """Wait until every request started has ended (a read shared by several callers ends
        under its own budget, after its callers gave up)."""
        async with asyncio.timeout(WAIT):
            while self.answered + self.failed + self.cancelled < self.started:
                self._ended.clear()
                await self._ended.wait()
