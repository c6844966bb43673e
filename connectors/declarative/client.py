"""The shared `SourceClient`, plus what a described system needs: a client-side rate limit,
an auth flow, and the `Link` header (for `link` paging) next to each JSON body."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.config import ConnectorSettings
from connectors.declarative.config import RateLimit
from connectors.http import SourceClient


@dataclass(frozen=True, slots=True)
class Reply:
    """A decoded JSON body and the `rel="next"` URL of its `Link` header, if any."""

    body: Any
    next_link: str | None


class TokenBucket:
    """`rate` requests a second on average, at most `capacity` at once; waiters go in turn.

    `clock` and `sleep` are the time it reads and waits on (a test passes a manual clock).
    """

    def __init__(
        self,
        rate: float,
        capacity: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait until a request may go, and spend its token."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)


class DeclarativeClient(SourceClient):
    """A `SourceClient` whose every attempt first waits for the rate limit, if one is set.

    Waiting happens inside the call, so it counts against the call's time budget: a caller
    that cannot be served in time gets a timeout (and stale data), never an unbounded queue.
    """

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        rate_limit: RateLimit | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(settings, headers=headers, transport=transport)
        if auth is not None:
            self._client.auth = auth
        self.bucket = (
            TokenBucket(rate_limit.per_second, rate_limit.capacity) if rate_limit else None
        )

    async def _attempt(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any
    ) -> Any:
        if self.bucket is not None:
            await self.bucket.take()
        return await super()._attempt(method, path, params, json)

    def _decode(self, response: httpx.Response) -> Reply:
        body = super()._decode(response)
        return Reply(body, response.links.get("next", {}).get("url"))

    async def page(self, path: str, params: Mapping[str, Any] | None = None) -> Reply:
        """GET one page (retried: GET is idempotent).

        httpx replaces a URL's query with `params` when both are given, so a query already in
        `path` (a template's, or a next-page link's) is merged into them here.
        """
        if params and "?" in path:
            path, _, query = path.partition("?")
            params = {**dict(httpx.QueryParams(query)), **params}
        reply = await self.get(path, params=params or None)
        assert isinstance(reply, Reply)
        return reply

    def relative(self, url: str) -> str | None:
        """`url` as a path under the base URL, or None if it points anywhere else.

        Next-page links come from the source's own bodies and headers: following one to
        another host would send our credentials there, so such a link is refused.
        """
        base = self._client.base_url
        prefix = base.raw_path.decode().split("?")[0].rstrip("/")
        if url.startswith("/"):
            raw = url
        else:
            target = httpx.URL(url)
            if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
                return None
            raw = target.raw_path.decode()
            if prefix and not raw.startswith(prefix + "/"):
                return None
        return raw[len(prefix) :] if prefix and raw.startswith(prefix + "/") else raw
