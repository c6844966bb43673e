"""Fault injection shared by every simulator: latency, stalls, 5xx, 429, malformed bodies.

`FaultSettings` is frozen; a running simulator holds it in a `FaultState` whose `settings`
can be swapped at runtime (`state.set(...)`), so a test can break a source mid-way.
`SimulatorGate.guard` wraps a vendor endpoint with the faults, the vendor's bearer-token check
and a per-token fixed-window rate limit; each vendor supplies its own error bodies (`Dialect`).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """What a simulator does wrong, and how often (rates are shares of requests, 0..1)."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    timeout_rate: float = 0.0  # share of requests that stall for `stall_seconds`
    stall_seconds: float = 30.0
    malformed_rate: float = 0.0
    malformed_kind: Literal["json", "shape"] = "json"
    rate_limit: int | None = None  # requests per window per token; None: unlimited
    rate_window_seconds: float = 10.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("error_rate", "timeout_rate", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.latency_ms < 0 or self.jitter_ms < 0 or self.stall_seconds < 0:
            raise ValueError("latency, jitter and stall must not be negative")
        if not 500 <= self.error_status <= 599:
            raise ValueError("error_status must be a 5xx status")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1")


@dataclass(slots=True)
class FaultState:
    """The simulator's current fault settings, swappable while it runs."""

    settings: FaultSettings = field(default_factory=FaultSettings)
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.set(self.settings)

    def set(self, settings: FaultSettings) -> None:
        """Apply new settings from the next request on."""
        self.settings = settings
        self.rng = random.Random(settings.seed)


class Dialect(Protocol):
    """A vendor's way of saying no: its error bodies and where its token lives."""

    header_auth: bool

    def token(self, request: Request) -> str | None:
        """The bearer token of the request, if any."""
        ...

    def unauthorized(self) -> Response:
        """The vendor's 401."""
        ...

    def rate_limited(self, retry_after: int) -> Response:
        """The vendor's 429 (with `Retry-After`)."""
        ...

    def server_error(self, status: int) -> Response:
        """The vendor's (or its proxy's) 5xx."""
        ...


Endpoint = Callable[[Request], Awaitable[Response]]


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme is case-insensitive)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class SimulatorGate:
    """Applies faults, auth and rate limiting in front of a vendor's endpoints."""

    def __init__(self, dialect: Dialect, faults: FaultState, token: str) -> None:
        self.dialect = dialect
        self.faults = faults
        self.token = token
        self.requests = 0  # requests that reached the gate: tests count upstream calls
        self._windows: dict[str, tuple[int, int]] = {}

    def guard(self, endpoint: Endpoint) -> Endpoint:
        """Wrap `endpoint` with faults, the token check and the rate limit."""

        async def guarded(request: Request) -> Response:
            self.requests += 1
            settings = self.faults.settings
            rng = self.faults.rng
            delay = settings.latency_ms + rng.uniform(0, settings.jitter_ms)
            if delay:
                await asyncio.sleep(delay / 1000)
            if settings.timeout_rate and rng.random() < settings.timeout_rate:
                await asyncio.sleep(settings.stall_seconds)
            if settings.error_rate and rng.random() < settings.error_rate:
                return self.dialect.server_error(settings.error_status)
            token = self.dialect.token(request)
            if self.dialect.header_auth and token != self.token:
                return self.dialect.unauthorized()
            if settings.rate_limit is not None:
                retry_after = self._spend(token or "anonymous", settings)
                if retry_after is not None:
                    return self.dialect.rate_limited(retry_after)
            response = await endpoint(request)
            if settings.malformed_rate and rng.random() < settings.malformed_rate:
                return _malformed(settings.malformed_kind)
            return response

        return guarded

    def _spend(self, token: str, settings: FaultSettings) -> int | None:
        """Count one request of `token`; seconds until its window resets if over the limit."""
        assert settings.rate_limit is not None
        window = settings.rate_window_seconds
        index = int(time.monotonic() // window)
        current, used = self._windows.get(token, (index, 0))
        if current != index:
            current, used = index, 0
        used += 1
        self._windows[token] = (current, used)
        if used <= settings.rate_limit:
            return None
        return max(1, math.ceil((current + 1) * window - time.monotonic()))


def _malformed(kind: str) -> Response:
    if kind == "shape":
        # Valid JSON, but nothing like what the API documents.
        return Response(b'["unexpected", {"shape": true}]', media_type="application/json")
    return Response(b'{"results": [{"id": "1", "propert', media_type="application/json")
