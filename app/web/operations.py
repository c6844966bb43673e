"""Operations routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.store.migrate import migrations_pending

log = structlog.get_logger("c360.ops")
READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(_: Request) -> Response:
    """The process is up and serving HTTP."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database answers and is migrated; 503 (without details) when not."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            pending = await migrations_pending(request.app.state.db.engine)
    except Exception as exc:  # noqa: BLE001  (any failure means "not ready")
        log.warning("database not ready", error_type=type(exc).__name__)
        return JSONResponse({"status": "unavailable", "checks": {"database": "down"}}, 503)
    if pending:
        # Serving a store behind the code would fail on every query: run `c360 db upgrade`.
        log.warning("database not ready: migrations pending")
        return JSONResponse(
            {
                "status": "unavailable",
                "reason": "migrations pending",
                "checks": {"database": "up", "migrations": "pending"},
            },
            503,
        )
    return JSONResponse({"status": "ready", "checks": {"database": "up", "migrations": "applied"}})


async def metrics(_: Request) -> Response:
    """Prometheus text exposition of every registered metric."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
