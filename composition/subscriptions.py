"""GraphQL subscriptions over WebSocket (`graphql-transport-ws`, Strawberry's handler).

The socket is accepted without credentials (a browser cannot send headers on a WebSocket);
`connection_init` must carry them in its payload, as the HTTP headers would
(`{"X-API-Key": "c360_..."}` or `{"Authorization": "Bearer ..."}`), within
`C360_WS_CONNECTION_INIT_TIMEOUT_SECONDS`; otherwise the socket is closed (4403 for bad
credentials, 4408 for none in time). The server pings every `C360_WS_KEEP_ALIVE_SECONDS`.

Subscribers that would receive the same results share one execution per event
(`schema/events/fanout.py`); each operation's task only sends the shared frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Any

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.unset import UnsetType

from app.errors import UnauthenticatedError
from app.settings import Settings
from schema.events.context import SubscriptionContext
from schema.events.fanout import SubscriptionFanout, group_key

log = structlog.get_logger("c360.subscriptions")
# What `c360 serve` tells uvicorn (`ws_per_message_deflate`): no permessage-deflate. An event
# frame is ~200 bytes (names of what changed, never values): compressing it saves next to
# nothing, while it costs a zlib compression per message per socket here (and a decompression
# in each client) and a compression context per connection. bench/RESULTS.md, issue 14.
WS_PER_MESSAGE_DEFLATE = False


class _PingingHandler(BaseGraphQLTransportWSHandler[SubscriptionContext, None]):
    """Strawberry's graphql-transport-ws handler, plus a server ping once acknowledged, so
    proxies keep an idle socket open and a dead peer is noticed."""

    _pinger: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping())

    async def _ping(self) -> None:
        interval = self.view.settings.ws_keep_alive_seconds  # type: ignore[attr-defined]
        while True:
            await asyncio.sleep(interval)
            await self.send_message({"type": "ping"})

    async def run_operation(self, operation: Operation[SubscriptionContext, None]) -> None:
        key = group_key(
            self.context.principal,
            operation.query,
            operation.variables,
            operation.operation_name,
            max_tokens=self.view.settings.max_tokens,  # type: ignore[attr-defined]
        )
        if key is None:
            await super().run_operation(operation)
            return
        fanout: SubscriptionFanout = self.view.fanout  # type: ignore[attr-defined]
        prefix = '{"id":' + orjson.dumps(operation.id).decode() + ","
        with contextlib.suppress(WebSocketDisconnect):
            async with fanout.join(key, self.context) as member:
                async for frame in member.frames():
                    if frame.final:
                        if operation.completed:
                            return
                        # As Strawberry does: the id is free again before the client hears.
                        operation.completed = True
                        self.operations.pop(operation.id, None)
                    await self.context.websocket.send_text(prefix + frame.body)

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pinger
        await super().shutdown()


class GraphQLSubscriptions(GraphQL[SubscriptionContext, None]):
    """The WebSocket side of `/graphql`: subscriptions only (queries go over HTTP)."""

    def __init__(self, schema: BaseSchema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.ws_connection_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
        )
        self.settings = settings
        self.fanout = SubscriptionFanout(schema, queue_capacity=settings.subscription_queue_size)
        self.graphql_transport_ws_handler_class = _PingingHandler

    async def get_context(
        self,
        request: Request | WebSocket,
        response: Response | WebSocket,  # noqa: ARG002
    ) -> SubscriptionContext:
        assert isinstance(request, WebSocket)
        state = request.app.state
        return SubscriptionContext(
            websocket=request,
            settings=self.settings,
            db=state.db,
            events=state.events,
            request_id=request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex,
        )

    async def on_ws_connect(self, context: SubscriptionContext) -> UnsetType | dict[str, object]:
        params = context.connection_params
        headers = {str(k).lower(): str(v) for k, v in params.items() if isinstance(v, str)}
        try:
            principal = await context.websocket.app.state.authenticator.authenticate(headers)
        except UnauthenticatedError as error:
            # The code only: logs never carry anything derived from the credential.
            log.info("subscription refused", code=error.code)
            raise ConnectionRejectionError from None
        context.authenticated(principal)
        return UnsetType()  # the UNSET singleton, typed (strawberry types UNSET as Any)
