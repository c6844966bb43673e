"""ASGI middleware: a request the database cannot serve gets 503 JSON with `Retry-After`.

Whatever step meets the outage (authenticating the key, looking up a persisted operation, a
webhook), the caller gets the same answer as a GraphQL request would: a GraphQL-shaped error
with `extensions.code` `SERVICE_UNAVAILABLE`, never a bare 500. Nothing is kept between
requests, so the next request after the database comes back is served normally.
"""

from __future__ import annotations

import orjson
import structlog
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import DATABASE_UNAVAILABLE
from app.store.availability import is_database_unavailable

log = structlog.get_logger("c360.http")


def database_unavailable_response() -> Response:
    """The 503 every request gets while the database does not answer."""
    body = {
        "errors": [
            {
                "message": DATABASE_UNAVAILABLE.message,
                "extensions": {"code": DATABASE_UNAVAILABLE.code},
            }
        ]
    }
    return Response(
        orjson.dumps(body),
        status_code=503,
        media_type="application/json",
        headers={"Retry-After": str(DATABASE_UNAVAILABLE.retry_after_seconds)},
    )


class DatabaseOutageMiddleware:
    """Turns a database outage raised anywhere below into `database_unavailable_response()`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started or not is_database_unavailable(error):
                raise
            # The type only: a driver's message can hold the DSN.
            log.warning("database unavailable", error_type=type(error).__name__)
            await database_unavailable_response()(scope, receive, send)
