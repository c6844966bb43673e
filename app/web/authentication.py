"""ASGI middleware: every request but the probes must come from a known principal.

The principal goes to `scope["state"]["principal"]`; a request without a valid one gets a 401
with a GraphQL-shaped error body and `WWW-Authenticate: Bearer`. `/metrics` is for admins only.
"""

from __future__ import annotations

import orjson
import structlog
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.customers.change_actor import acting_as
from app.errors import ForbiddenError, UnauthenticatedError
from app.privacy.authentication import Authenticator
from app.privacy.principals import Role
from app.web.graphiql import ASSETS_PREFIX

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})
# Webhooks (`/webhooks/<system name>`) carry no API key: each verifies its sender's signature
# instead (app/webhooks).
WEBHOOKS_PREFIX = "/webhooks/"
ADMIN_PATHS = frozenset({"/metrics"})
# RFC 6455: close code 1008, "policy violation".
_WS_POLICY_VIOLATION = 1008
log = structlog.get_logger("c360.auth")


def _error_response(status: int, message: str, code: str, headers: dict[str, str]) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _is_ide_page(scope: Scope) -> bool:
    """The GraphiQL page itself (no operation) or its files: a browser loads them without a key.

    Only outside production, where the page exists; every query it sends is authenticated.
    """
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    if scope["app"].state.settings.is_production:
        return False
    if scope["path"].startswith(ASSETS_PREFIX):
        return True
    if scope["path"] != "/graphql" or scope.get("query_string"):
        return False
    accept: str = Headers(scope=scope).get("accept", "")
    return "text/html" in accept


def _is_subscription_socket(scope: Scope) -> bool:
    """The GraphQL WebSocket: it authenticates in `connection_init` (composition/subscriptions.py),
    as browsers cannot send headers on a WebSocket."""
    return bool(scope["type"] == "websocket" and scope["path"] == "/graphql")


class AuthenticationMiddleware:
    """Authenticates each HTTP (and WebSocket) request with the app's `Authenticator`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] not in ("http", "websocket")
            or scope["path"] in PUBLIC_PATHS
            or scope["path"].startswith(WEBHOOKS_PREFIX)
            or _is_ide_page(scope)
            or _is_subscription_socket(scope)
        ):
            await self.app(scope, receive, send)
            return
        authenticator: Authenticator = scope["app"].state.authenticator
        try:
            principal = await authenticator.authenticate(Headers(scope=scope))
            if scope["path"] in ADMIN_PATHS and principal.role is not Role.ADMIN:
                raise ForbiddenError("this endpoint is for the admin role")
        except (UnauthenticatedError, ForbiddenError) as error:
            # The code only: logs never carry anything derived from the credential.
            log.info("request refused", path=scope["path"], code=error.code)
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": _WS_POLICY_VIOLATION})
                return
            unauthenticated = isinstance(error, UnauthenticatedError)
            response = _error_response(
                401 if unauthenticated else 403,
                error.message,
                error.code,
                {"WWW-Authenticate": "Bearer"} if unauthenticated else {},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        structlog.contextvars.bind_contextvars(principal=principal.id, role=principal.role.value)
        try:
            with acting_as(principal.id, scope["state"].get("request_id")):
                await self.app(scope, receive, send)
        finally:
            structlog.contextvars.unbind_contextvars("principal", "role")
