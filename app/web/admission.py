"""Admission control and the request deadline, per worker process.

At most `C360_MAX_IN_FLIGHT` requests are served at once; up to `C360_ADMISSION_QUEUE_SIZE` more
wait for a slot, each at most `C360_ADMISSION_QUEUE_WAIT_SECONDS`. Past that a request is refused
at once, before its body is read, with 503, `Retry-After` and code `OVERLOADED`: under overload
the admitted requests keep their latency and the excess costs almost nothing. The probes and
`/metrics` are never queued or refused.

No request runs past `C360_REQUEST_TIMEOUT_SECONDS` from its arrival: it is cancelled, with its
source calls and database statements (app.store.request_work), a transaction not yet committing
is rolled back, and it is answered 504 `TIMEOUT`: nothing was changed. A request whose write had
committed (a commit under way is let finish) is answered 200 with `TIMEOUT_AFTER_COMMIT` instead:
the change is stored, and a client must not send it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
import structlog
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from app.store.request_work import tracking_database_work
from app.telemetry import (
    ADMISSION_REFUSALS,
    REQUEST_TIMEOUTS,
    REQUESTS_IN_FLIGHT,
    REQUESTS_QUEUED,
)

# Liveness, readiness and metrics must answer precisely when the process is busiest.
NEVER_REFUSED = frozenset({"/healthz", "/readyz", "/metrics"})
RETRY_AFTER_SECONDS = 1
GRAPHQL_RESPONSE = "application/graphql-response+json"
log = structlog.get_logger("c360.admission")


class Overloaded(Exception):
    """No slot is free and the queue is full, or the wait for a slot ran out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Admission:
    """A bounded number of requests in flight and a short bounded queue in front of them."""

    def __init__(self, *, max_in_flight: int, queue_size: int, queue_wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(max_in_flight)
        self._queue_size = queue_size
        self._queue_wait = queue_wait_seconds
        self.queued = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the block; raise `Overloaded` when none comes in time."""
        if self._slots.locked():
            if self.queued >= self._queue_size:
                raise Overloaded("queue_full")
            self.queued += 1
            REQUESTS_QUEUED.inc()
            try:
                async with asyncio.timeout(self._queue_wait):
                    await self._slots.acquire()
            except TimeoutError:
                raise Overloaded("queue_wait") from None
            finally:
                self.queued -= 1
                REQUESTS_QUEUED.dec()
        else:
            await self._slots.acquire()
        REQUESTS_IN_FLIGHT.inc()
        try:
            yield
        finally:
            REQUESTS_IN_FLIGHT.dec()
            self._slots.release()


def _error_response(
    scope: Scope, status: int, message: str, code: str, **kwargs: object
) -> Response:
    """A GraphQL-shaped error body, in the media type the client accepts."""
    accept = Headers(scope=scope).get("accept", "")
    media_type = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else "application/json"
    body: dict[str, object] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    body.update(kwargs)
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None,
    )


class AdmissionMiddleware:
    """Admits each HTTP request (or refuses it with 503) and enforces its deadline."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_seconds
        self.admission = Admission(
            max_in_flight=settings.max_in_flight,
            queue_size=settings.admission_queue_size,
            queue_wait_seconds=settings.admission_queue_wait_seconds,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NEVER_REFUSED:
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            async with self.admission.slot():
                await self._serve_until(deadline, scope, receive, send)
        except Overloaded as refused:
            ADMISSION_REFUSALS.labels(refused.reason).inc()
            log.info("request refused: overloaded", reason=refused.reason)
            response = _error_response(
                scope, 503, "the server is overloaded; retry later", "OVERLOADED"
            )
            await response(scope, receive, send)

    async def _serve_until(
        self, deadline: float, scope: Scope, receive: Receive, send: Send
    ) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        limit = asyncio.timeout_at(deadline)
        with tracking_database_work() as work:
            interrupt = asyncio.get_running_loop().call_at(deadline, work.interrupt_statements)
            try:
                async with limit:
                    await self.app(scope, receive, tracking_send)
                return
            except TimeoutError:
                if not limit.expired():
                    raise
                committed = work.committed_before(deadline)
            finally:
                interrupt.cancel()
        REQUEST_TIMEOUTS.labels("committed" if committed else "rolled_back").inc()
        log.warning("request cancelled at its deadline", committed=committed, answered=started)
        if started:
            return  # too late to answer differently: the server closes the connection
        if committed:
            response = _error_response(
                scope,
                200,
                "the change was saved, but the request took longer than the server allows; "
                "read it back instead of sending it again",
                "TIMEOUT_AFTER_COMMIT",
                data=None,
            )
        else:
            response = _error_response(
                scope, 504, "the request took longer than the server allows", "TIMEOUT"
            )
        await response(scope, receive, send)
