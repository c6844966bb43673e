"""The GraphQL-over-HTTP endpoint (GET for queries, POST with JSON), per the GraphQL over HTTP spec.

Strawberry parses, validates and executes; this module does the HTTP part the spec asks for:
media-type negotiation (`application/graphql-response+json` and legacy `application/json`), the
status codes that go with each, CSRF-safe content types, body-size and batch limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry import Schema
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.settings import Settings
from app.telemetry import HTTP_REJECTIONS, observe_operation
from app.web.graphiql import graphiql_page
from app.web.outage import database_unavailable_response
from app.web.persisted_queries import PersistedQueryRejected, resolve_operation

GRAPHQL_RESPONSE = "application/graphql-response+json"
LEGACY_JSON = "application/json"
log = structlog.get_logger("c360.graphql")


class HTTPRejection(Exception):
    """A request refused before execution, with its status and error code."""

    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def _negotiate(accept: str | None) -> str:
    """The response media type for an Accept header; no acceptable type is a 406."""
    if not accept:
        return LEGACY_JSON
    accepted = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for media_type in accepted:
        if media_type == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media_type in (LEGACY_JSON, "application/*", "*/*"):
            return LEGACY_JSON
    raise HTTPRejection(
        406, "Accept must allow application/graphql-response+json", "NOT_ACCEPTABLE"
    )


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The request body, or a 413 as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPRejection(413, f"request body is larger than {limit} bytes", "PAYLOAD_TOO_LARGE")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPRejection(
                413, f"request body is larger than {limit} bytes", "PAYLOAD_TOO_LARGE"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HTTPRejection(400, f"`{name}` is not valid JSON", "BAD_REQUEST") from None


def _operation_from(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HTTPRejection(400, "the request must be a JSON object", "BAD_REQUEST")
    query = data.get("query")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise HTTPRejection(400, "`extensions` must be an object", "BAD_REQUEST")
    # A persisted-query request may leave the text out: the hash names a registered operation.
    hash_only = query is None and "persistedQuery" in (extensions or {})
    if not hash_only and (not isinstance(query, str) or not query.strip()):
        raise HTTPRejection(400, "`query` must be a non-empty string", "BAD_REQUEST")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise HTTPRejection(400, "`variables` must be an object", "BAD_REQUEST")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HTTPRejection(400, "`operationName` must be a string", "BAD_REQUEST")
    return {
        "query": query,
        "variables": variables,
        "operation_name": operation_name,
        "extensions": extensions,
    }


def _is_request_error(result: ExecutionResult) -> bool:
    # The spec's "request error": nothing was executed, so there is no data and no error path.
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def _error_payload(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _result_payload(result: ExecutionResult) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if not _is_request_error(result):
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


def _database_unavailable(result: ExecutionResult) -> bool:
    """The database did not answer for some field: the whole request is to be retried."""
    return "SERVICE_UNAVAILABLE" in _codes(result)


def _codes(result: ExecutionResult) -> list[str]:
    return [
        str((error.extensions or {}).get("code", "INTERNAL"))
        for error in (result.errors or [])
        if isinstance(error, GraphQLError)
    ]


class GraphQLHTTPEndpoint:
    """A Starlette endpoint serving one schema at `/graphql`."""

    def __init__(
        self, *, schema: Schema, settings: Settings, context_factory: Callable[[Request], Any]
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.context_factory = context_factory
        self.graphiql = not settings.is_production

    async def handle(self, request: Request) -> Response:
        """Serve one HTTP request (the Starlette endpoint)."""
        response = await self._respond(request)
        # Answers carry personal data: no browser, proxy or CDN may keep a copy.
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _respond(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except HTTPRejection as rejection:
            HTTP_REJECTIONS.labels(str(rejection.status)).inc()
            media_type = (
                GRAPHQL_RESPONSE
                if GRAPHQL_RESPONSE in request.headers.get("accept", "")
                else LEGACY_JSON
            )
            return Response(
                orjson.dumps(_error_payload(rejection.message, rejection.code)),
                status_code=rejection.status,
                media_type=f"{media_type}; charset=utf-8",
                headers=rejection.headers,
            )

    async def _handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            raise HTTPRejection(
                405, "use GET for queries or POST", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"}
            )
        accept = request.headers.get("accept")
        if (
            request.method == "GET"
            and self.graphiql
            and "query" not in request.query_params
            and accept
            and "text/html" in accept
        ):
            return graphiql_page()
        media_type = _negotiate(accept)
        operations = await self._persisted(request, await self._read_operations(request))
        if isinstance(operations, list):
            results = [await self._execute(request, op) for op in operations]
            return Response(
                orjson.dumps([_result_payload(result) for result in results]),
                media_type=f"{media_type}; charset=utf-8",
            )
        result = await self._execute(request, operations)
        if _database_unavailable(result):
            return database_unavailable_response()
        status = 400 if media_type == GRAPHQL_RESPONSE and _is_request_error(result) else 200
        return Response(
            orjson.dumps(_result_payload(result)),
            status_code=status,
            media_type=f"{media_type}; charset=utf-8",
        )

    async def _execute(self, request: Request, operation: dict[str, Any]) -> ExecutionResult:
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        started = time.perf_counter()
        context = self.context_factory(request)
        try:
            # The request's deadline (C360_REQUEST_TIMEOUT_SECONDS) is enforced around the whole
            # request by app.web.admission.
            result = await self.schema.execute(
                operation["query"],
                variable_values=operation["variables"],
                context_value=context,
                operation_name=operation["operation_name"],
                allowed_operation_types=allowed,
                operation_extensions=operation["extensions"],
            )
        except InvalidOperationTypeError as refused:
            if refused.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPRejection(
                    400,
                    "subscriptions are not served over HTTP: "
                    "use the WebSocket (graphql-transport-ws)",
                    "BAD_REQUEST",
                ) from None
            raise HTTPRejection(
                405, "mutations must be sent with POST", "METHOD_NOT_ALLOWED", {"Allow": "POST"}
            ) from None
        except CannotGetOperationTypeError:
            raise HTTPRejection(
                400, "the document has no operation of that name", "BAD_REQUEST"
            ) from None
        except MissingQueryError:
            raise HTTPRejection(400, "`query` is missing", "BAD_REQUEST") from None
        finally:
            await self._close(context)
        observe_operation(
            operation["operation_name"],
            request.method,
            time.perf_counter() - started,
            _codes(result),
        )
        return result

    async def _persisted(
        self, request: Request, operations: dict[str, Any] | list[dict[str, Any]]
    ) -> dict[str, Any] | list[dict[str, Any]]:
        """The operations, with the registered text wherever a persisted-query hash names one."""
        registry = request.app.state.persisted_operations
        required = self.settings.persisted_operations_only
        try:
            if isinstance(operations, list):
                return [
                    await resolve_operation(op, registry, required=required) for op in operations
                ]
            return await resolve_operation(operations, registry, required=required)
        except PersistedQueryRejected as rejected:
            raise HTTPRejection(400, rejected.message, rejected.code) from None

    async def _close(self, context: Any) -> None:
        """End the request's context; if its audit rows cannot be written, withhold the data."""
        try:
            await context.close()
        except Exception:  # noqa: BLE001  (whatever failed, nothing unaudited may leave)
            log.exception("the request could not be audited; its result is withheld")
            if getattr(context, "operation_type", None) is OperationType.MUTATION:
                # Its writes are committed: "retry later" would make a client write twice.
                raise HTTPRejection(
                    500,
                    "the mutation was carried out, but its result cannot be returned;"
                    " do not send it again",
                    "INTERNAL",
                ) from None
            raise HTTPRejection(
                503,
                "the request could not be completed; retry later",
                "SERVICE_UNAVAILABLE",
                {"Retry-After": "1"},
            ) from None

    async def _read_operations(self, request: Request) -> dict[str, Any] | list[dict[str, Any]]:
        if request.method == "GET":
            params = request.query_params
            return _operation_from(
                {
                    "query": params.get("query"),
                    "variables": _json_param(params.get("variables"), "variables"),
                    "operationName": params.get("operationName"),
                    "extensions": _json_param(params.get("extensions"), "extensions"),
                }
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            # Refusing every other type (text/plain, forms, multipart) blocks CSRF "simple
            # requests": a browser cannot send application/json cross-site without a preflight.
            raise HTTPRejection(
                415, "Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE"
            )
        body = await read_limited_body(request, self.settings.max_body_bytes)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise HTTPRejection(400, "the body is not valid JSON", "BAD_REQUEST") from None
        if isinstance(data, list):
            limit = self.settings.max_batch_operations
            if not limit:
                raise HTTPRejection(400, "batched operations are not accepted", "BATCH_NOT_ALLOWED")
            if not data or len(data) > limit:
                raise HTTPRejection(
                    400, f"a batch must hold 1 to {limit} operations", "BATCH_TOO_LARGE"
                )
            return [_operation_from(item) for item in data]
        return _operation_from(data)
