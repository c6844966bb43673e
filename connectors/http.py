"""The shared, resilient HTTP client of one source system: the only place httpx is used.

`SourceClient.request` wraps one logical call:

1. the circuit breaker admits it or fails fast (`CircuitOpenError`, no request made);
2. the whole call, retries and backoff included, runs under the per-call time budget;
3. stamina retries idempotent calls on connection errors, 5xx and 429 with exponential backoff
   and jitter; a 429's `Retry-After` replaces the backoff, and if it does not fit in the budget
   the call gives up at once so the caller can serve stale data instead of waiting;
4. each attempt holds one of `max_concurrency` slots, so the connection pool is never exceeded
   and requests never queue inside the transport's pool;
5. httpx errors and HTTP statuses become `connectors.errors` here; nothing else leaks out.

Transport, by measurement (`python -m bench.transport`, numbers in bench/RESULTS.md): httpx's
own pool (httpcore) costs 1-5.5 ms of CPU per call, more as calls in flight rise (its pool
scans every connection and waiting request on each state change, encode/httpx#3215); the
aiohttp transport behind the same `httpx.AsyncClient` costs ~0.55 ms at any concurrency and
doubles to quadruples the throughput. So the network goes through `httpx_aiohttp`, with a pool
of `max_concurrency` connections and the same limit on calls in flight in front of it.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import socket
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import stamina
from httpx_aiohttp import AiohttpTransport

from connectors.circuit import CircuitBreaker
from connectors.config import ConnectorSettings
from connectors.errors import (
    BadResponseError,
    CircuitOpenError,
    ConnectorError,
    RateLimitedError,
    RequestRejectedError,
    SourceDownError,
    SourceStatus,
    SourceTimeoutError,
    UnauthorizedError,
)
from connectors.telemetry import (
    CALL_LATENCY,
    CALLS,
    ERRORS,
    IN_FLIGHT,
    UPSTREAM_LATENCY,
    UPSTREAM_REQUESTS,
)

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures that say the source is unwell; a 4xx or 429 says it is alive and answering.
_BREAKER_FAILURES = (SourceTimeoutError, SourceDownError, BadResponseError)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _vendor_message(response: httpx.Response) -> str:
    """A short, log-safe summary of an error body (vendors put the reason in `message`)."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        message = inner.get("message") if isinstance(inner, dict) else None
        if isinstance(message, str):
            return f"HTTP {response.status_code}: {message[:200]}"
    return f"HTTP {response.status_code}"


def _connect_failure(exc: httpx.ConnectTimeout) -> str:
    """Why a connection did not open: the aiohttp transport reports every connect failure,
    a refused port or an unknown host included, as a ConnectTimeout."""
    cause = exc.__cause__ or exc.__context__
    cause = getattr(cause, "os_error", cause)  # aiohttp's ClientConnectorError wraps the OSError
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
        return f"cannot connect ({type(cause).__name__})"
    return "connect timeout"


class SourceClient:
    """One system's HTTP client: pool, auth headers, budget, retries, breaker, metrics."""

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.system = settings.system
        self._clock = clock
        limit = settings.max_concurrency
        limits = httpx.Limits(
            max_connections=limit, max_keepalive_connections=limit, keepalive_expiry=30.0
        )
        timeouts = settings.timeouts
        timeout = httpx.Timeout(
            connect=timeouts.connect,
            read=timeouts.read,
            write=timeouts.read,
            # The semaphore already bounds concurrency, so waiting for a pooled connection
            # only happens if the pool is misconfigured: fail quickly rather than hide it.
            pool=timeouts.connect,
        )
        self._client = httpx.AsyncClient(
            base_url=settings.base_url,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=timeout,
            # httpx's own transport retries are for connect errors only and un-budgeted;
            # stamina does all retrying, so they stay off.
            transport=transport or AiohttpTransport(limits=limits, retries=0),
            limits=limits,
            follow_redirects=False,
        )
        # httpx parses the base URL and the path again on every call to join them (~40% of
        # building a request); an absolute URL it takes as it is. Paths repeat (the batch
        # endpoints), so the joined URLs of recent ones are kept.
        self._url = functools.lru_cache(maxsize=256)(self._absolute_url)
        self._slots = asyncio.Semaphore(limit)
        self.breaker = CircuitBreaker(
            settings.system,
            failure_threshold=settings.circuit.failure_threshold,
            cooldown=settings.circuit.cooldown,
            clock=clock,
        )
        self.in_flight = 0
        self.peak_in_flight = 0
        self.upstream_requests = 0
        # Labelled children looked up once: `labels()` on every call cost ~10% of a call's
        # own CPU. Outcomes other than success are rare and looked up when they happen.
        system = settings.system
        self._in_flight_gauge = IN_FLIGHT.labels(system)
        self._upstream_latency = UPSTREAM_LATENCY.labels(system)
        self._upstream_2xx = UPSTREAM_REQUESTS.labels(system, "2xx")
        self._call_latency = CALL_LATENCY.labels(system)
        self._calls_ok = CALLS.labels(system, SourceStatus.OK.value)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    def _absolute_url(self, path: str) -> httpx.URL:
        """`path` under the base URL, joined as httpx joins them."""
        base = str(self._client.base_url).rstrip("/")
        return httpx.URL(f"{base}/{path.lstrip('/')}")

    async def get(
        self, path: str, *, params: Mapping[str, Any] | None = None, budget: float | None = None
    ) -> Any:
        """GET `path` and return its JSON body (retried: GET is idempotent)."""
        return await self.request("GET", path, params=params, budget=budget)

    async def post(
        self,
        path: str,
        *,
        json: Any,
        idempotent: bool,
        params: Mapping[str, Any] | None = None,
        budget: float | None = None,
    ) -> Any:
        """POST a JSON body; say whether it is a read (retried) or a write (never retried)."""
        return await self.request(
            "POST", path, json=json, params=params, idempotent=idempotent, budget=budget
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        budget: float | None = None,
    ) -> Any:
        """Make one logical call and return the decoded JSON body (None for an empty body)."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        budget = budget if budget is not None else self.settings.timeouts.budget
        try:
            self.breaker.admit()
        except CircuitOpenError as exc:
            CALLS.labels(self.system, exc.status.value).inc()
            ERRORS.labels(self.system, type(exc).__name__).inc()
            raise
        started = self._clock()
        status = SourceStatus.OK
        try:
            result = await self._call_within_budget(method, path, params, json, idempotent, budget)
        except ConnectorError as exc:
            status = exc.status
            ERRORS.labels(self.system, type(exc).__name__).inc()
            if isinstance(exc, _BREAKER_FAILURES):
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            raise
        except BaseException:
            # Cancelled by the caller (a sibling failed, the request ended): no verdict.
            self.breaker.record_abandoned()
            raise
        else:
            self.breaker.record_success()
            return result
        finally:
            calls = (
                self._calls_ok
                if status is SourceStatus.OK
                else CALLS.labels(self.system, status.value)
            )
            calls.inc()
            self._call_latency.observe(self._clock() - started)

    async def _call_within_budget(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        idempotent: bool,
        budget: float,
    ) -> Any:
        deadline = self._clock() + budget
        last_error: ConnectorError | None = None
        attempting = False

        def retry_decision(exc: Exception) -> bool | float:
            nonlocal last_error
            if not isinstance(exc, ConnectorError) or not exc.retryable:
                return False
            last_error = exc
            if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
                # Honour Retry-After, but only if the retry can still finish in the budget.
                if self._clock() + exc.retry_after >= deadline:
                    return False
                return exc.retry_after
            return True

        retries = self.settings.retries
        try:
            async with asyncio.timeout(budget):
                async for attempt in stamina.retry_context(
                    on=retry_decision,
                    attempts=retries.attempts if idempotent else 1,
                    timeout=budget,
                    wait_initial=retries.wait_initial,
                    wait_max=retries.wait_max,
                    wait_jitter=retries.wait_jitter,
                ):
                    with attempt:
                        attempting = True
                        result = await self._attempt(method, path, params, json)
                        attempting = False
                        return result
        except TimeoutError:
            if not attempting and last_error is not None:
                # The budget ran out while backing off: the real problem is the last error.
                raise last_error from None
            raise SourceTimeoutError(
                self.system, f"no answer within the {budget:.2f}s call budget"
            ) from None
        raise AssertionError("unreachable: stamina either returns or raises")

    async def _attempt(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any
    ) -> Any:
        async with self._slots:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self.upstream_requests += 1
            self._in_flight_gauge.inc()
            started = self._clock()
            outcome = "error"
            try:
                content = orjson.dumps(json) if json is not None else None
                response = await self._client.request(
                    method,
                    self._url(path),
                    params=params,
                    content=content,
                    headers={"Content-Type": "application/json"} if content else None,
                )
                outcome = f"{response.status_code // 100}xx"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
                raise self._translate(exc) from None
            finally:
                self.in_flight -= 1
                self._in_flight_gauge.dec()
                requests = (
                    self._upstream_2xx
                    if outcome == "2xx"
                    else UPSTREAM_REQUESTS.labels(self.system, outcome)
                )
                requests.inc()
                self._upstream_latency.observe(self._clock() - started)
        return self._decode(response)

    def _translate(self, exc: httpx.HTTPError) -> ConnectorError:
        """Map an httpx exception to our own error (the `map_exceptions` idea)."""
        if isinstance(exc, httpx.ConnectTimeout):
            return SourceDownError(self.system, _connect_failure(exc))
        if isinstance(exc, httpx.TimeoutException):
            return SourceTimeoutError(self.system, f"{type(exc).__name__}: no answer in time")
        if isinstance(exc, httpx.TransportError) and not isinstance(
            exc, httpx.UnsupportedProtocol | httpx.ProxyError
        ):
            return SourceDownError(self.system, f"{type(exc).__name__}: cannot reach source")
        if isinstance(exc, httpx.DecodingError):
            return BadResponseError(self.system, "undecodable response body")
        return RequestRejectedError(self.system, f"{type(exc).__name__}: invalid request")

    def _decode(self, response: httpx.Response) -> Any:
        code = response.status_code
        if 200 <= code < 300:
            if code == 204 or not response.content:
                return None
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise BadResponseError(self.system, f"HTTP {code} with malformed JSON") from None
        message = _vendor_message(response)
        if code == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimitedError(self.system, message, retry_after=retry_after)
        if code in (401, 403):
            raise UnauthorizedError(self.system, message)
        if code >= 500:
            raise SourceDownError(self.system, message, http_status=code)
        raise RequestRejectedError(self.system, message, http_status=code)


class DocumentClient:
    """GETs of JSON documents the gateway itself needs from other services (a JWKS).

    One small pool, one timeout, no retries and no breaker: its callers cache what they fetch
    and rate-limit refetches themselves. Failures become `connectors.errors`, named `name`.
    """

    def __init__(
        self,
        name: str,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self._client = httpx.AsyncClient(
            headers={"Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            transport=transport or httpx.AsyncHTTPTransport(retries=0),
            follow_redirects=False,
        )

    async def get_json(self, url: str) -> Any:
        """The decoded JSON body of a GET of `url` (any non-200 status is an error)."""
        try:
            response = await self._client.get(url)
        except httpx.TimeoutException:
            raise SourceTimeoutError(self.name, "no answer within the timeout") from None
        except httpx.HTTPError as exc:
            raise SourceDownError(self.name, type(exc).__name__) from None
        if response.status_code != 200:
            raise SourceDownError(
                self.name, f"HTTP {response.status_code}", http_status=response.status_code
            )
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise BadResponseError(self.name, "the body is not JSON") from None

    async def aclose(self) -> None:
        """Close the pool."""
        await self._client.aclose()


class WebhookClient:
    """POSTs of signed webhook deliveries to receivers registered by an admin.

    One attempt per call (the delivery worker schedules retries, with backoff, in the
    store, so they survive restarts), no redirects (a receiver must not bounce a signed
    delivery elsewhere). The outcome is the HTTP status, or None when no answer came.
    """

    def __init__(
        self, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            transport=transport or httpx.AsyncHTTPTransport(retries=0),
            follow_redirects=False,
        )

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int | None:
        """The receiver's status code, or None if it could not be reached in time."""
        try:
            response = await self._client.post(
                url, content=body, headers={"content-type": "application/json", **headers}
            )
        except httpx.HTTPError:
            return None
        return response.status_code

    async def aclose(self) -> None:
        """Close the pool."""
        await self._client.aclose()
