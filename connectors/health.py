"""Turn any probe into a `SourceHealth`: health checks report, they never raise."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from connectors.base import SourceHealth
from connectors.errors import ConnectorError, SourceStatus


async def probe(system: str, call: Callable[[], Awaitable[object]]) -> SourceHealth:
    """Run `call` and report how the source answered and how long it took."""
    started = time.perf_counter()
    status, detail = SourceStatus.OK, None
    try:
        await call()
    except ConnectorError as exc:
        status, detail = exc.status, exc.message
    latency_ms = (time.perf_counter() - started) * 1000
    return SourceHealth(system, status, round(latency_ms, 2), datetime.now(UTC), detail)
