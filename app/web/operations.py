"""Operations routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = structlog.get_logger("c360.ops")
READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(_: Request) -> Response:
    """The process is up and serving HTTP."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers; 503 (without details) when it does not."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await request.app.state.db.ping()
    except Exception as exc:  # noqa: BLE001  (any failure means "not ready")
        log.warning("database not ready", error_type=type(exc).__name__)
        return JSONResponse({"status": "unavailable", "checks": {"database": "down"}}, 503)
    return JSONResponse({"status": "ready", "checks": {"database": "up"}})


async def metrics(_: Request) -> Response:
    """Prometheus text exposition of every registered metric."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
