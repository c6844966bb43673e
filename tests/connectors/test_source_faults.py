"""RELIABILITY.md "Faults in source systems", items 18-20, at connector level, for every system.

Every fault a simulator can inject (stall, 5xx, 429, bad token, malformed JSON, wrong shape)
and connection refused must surface as the right typed error and `SourceStatus`.
"""

from __future__ import annotations

import httpx
import pytest

from connectors.circuit import CircuitBreaker
from connectors.errors import (
    BadResponseError,
    CircuitOpenError,
    ConnectorError,
    RateLimitedError,
    SourceDownError,
    SourceStatus,
    SourceTimeoutError,
    UnauthorizedError,
)
from connectors.pooled import PooledConnector
from simulators import FaultSettings
from tests.cancellation import CancellationRecorder
from tests.connectors.conftest import SYSTEMS, TEST_BUDGET, primary_call
from tests.manual_clock import ManualClock

FAULTS = [
    pytest.param(
        FaultSettings(error_rate=1.0, error_status=503),
        SourceDownError,
        SourceStatus.ERROR,
        id="5xx",
    ),
    pytest.param(
        FaultSettings(error_rate=1.0, error_status=500),
        SourceDownError,
        SourceStatus.ERROR,
        id="500",
    ),
    pytest.param(
        FaultSettings(malformed_rate=1.0, malformed_kind="json"),
        BadResponseError,
        SourceStatus.ERROR,
        id="malformed-json",
    ),
    pytest.param(
        FaultSettings(malformed_rate=1.0, malformed_kind="shape"),
        BadResponseError,
        SourceStatus.ERROR,
        id="wrong-shape",
    ),
    pytest.param(
        FaultSettings(rate_limit=1, rate_window_seconds=60.0),
        RateLimitedError,
        SourceStatus.RATE_LIMITED,
        id="429",
    ),
]


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize(("faults", "error", "status"), FAULTS)
async def test_every_fault_gives_its_typed_error_and_status(
    system, faults, error, status, simulator, connect, world
) -> None:
    # given
    connector = connect(system, simulator(system, faults))
    if faults.rate_limit:
        # spend the token's quota so the connector's own call is over the limit
        try:
            await primary_call(connector, world)
        except ConnectorError:
            pass
    # when
    with pytest.raises(error) as caught:
        await primary_call(connector, world)
    # then
    assert caught.value.status is status
    assert caught.value.system == system


@pytest.mark.parametrize("system", SYSTEMS)
async def test_bad_token_is_unauthorized(system, simulator, connect, world) -> None:
    connector = connect(system, simulator(system, token="the-real-token"))
    with pytest.raises(UnauthorizedError) as caught:
        await primary_call(connector, world)
    assert caught.value.status is SourceStatus.ERROR


@pytest.mark.parametrize("system", SYSTEMS)
async def test_connection_refused_is_unavailable(system, connect, world) -> None:
    attempts = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    connector = connect(system, httpx.MockTransport(refuse))
    with pytest.raises(SourceDownError):
        await primary_call(connector, world)
    # Connection errors are retried (3 attempts); surveymonkey's first step fans out 3 calls.
    assert attempts >= 3


# -- item 18: a stalled source answers within its timeout + 10% -------------------------------


@pytest.mark.parametrize("system", SYSTEMS)
async def test_18_a_stalled_source_is_given_up_on_at_its_budget(
    system, simulator, connect, world
) -> None:
    # given a source whose every answer would come after 30 s, far past the call's budget
    app = simulator(system, FaultSettings(timeout_rate=1.0, stall_seconds=30))
    stalled = CancellationRecorder(httpx.ASGITransport(app=app))
    connector = connect(system, stalled)
    # when
    with pytest.raises(SourceTimeoutError) as caught:
        await primary_call(connector, world)
    # then the budget cut every request short: none was waited out to its answer
    assert caught.value.status is SourceStatus.TIMEOUT
    assert f"{TEST_BUDGET:.2f}s call budget" in str(caught.value)
    await stalled.settled()
    assert stalled.started >= 1
    assert (stalled.cancelled, stalled.answered, stalled.failed) == (stalled.started, 0, 0)


async def test_18_read_timeout_is_a_timeout_and_not_retried(connect, world) -> None:
    attempts = 0

    def stall(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ReadTimeout("timed out", request=request)

    connector = connect("hubspot", httpx.MockTransport(stall))
    with pytest.raises(SourceTimeoutError):
        await primary_call(connector, world)
    assert attempts == 1


# -- item 19: retries -------------------------------------------------------------------------


def scripted(*statuses: int, headers: dict[str, str] | None = None):
    """A transport answering with `statuses` in turn (then 200s), counting requests."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status = statuses[len(calls) - 1] if len(calls) <= len(statuses) else 200
        if status == 200:
            return httpx.Response(200, json={"status": "COMPLETE", "results": []})
        return httpx.Response(status, json={"status": "error", "message": "nope"}, headers=headers)

    return httpx.MockTransport(handler), calls


async def test_19_503_503_200_succeeds_on_the_third_attempt(connect) -> None:
    transport, calls = scripted(503, 503)
    connector = connect("hubspot", transport)
    assert await connector.fetch_contacts(["1001"]) == {}
    assert len(calls) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_19_4xx_other_than_429_is_never_retried(status, connect) -> None:
    transport, calls = scripted(status)
    connector = connect("hubspot", transport)
    with pytest.raises(ConnectorError):
        await connector.fetch_contacts(["1001"])
    assert len(calls) == 1


async def test_19_non_idempotent_call_is_never_retried(connect) -> None:
    transport, calls = scripted(503, 503)
    connector = connect("hubspot", transport)
    with pytest.raises(SourceDownError):
        await connector.erase_contact("1001")
    assert len(calls) == 1


async def test_19_retry_after_is_honoured(connect) -> None:
    transport, calls = scripted(429, headers={"Retry-After": "0"})
    connector = connect("hubspot", transport)
    assert await connector.fetch_contacts(["1001"]) == {}
    assert len(calls) == 2


async def test_19_retry_after_waits_the_announced_time(connect, retry_waits) -> None:
    # given a 429 announcing a 1 s wait (fits the 1.5 s budget)
    transport, calls = scripted(429, headers={"Retry-After": "1"})
    connector = connect("hubspot", transport, timeouts={"connect": 0.2, "read": 1.5, "budget": 1.5})
    # when
    await connector.fetch_contacts(["1001"])
    # then the retry was scheduled after the announced second, not after the 1 ms backoff
    assert retry_waits == [1.0]
    assert len(calls) == 2


async def test_19_retry_after_beyond_the_budget_fails_fast_as_rate_limited(
    connect, retry_waits
) -> None:
    transport, calls = scripted(429, headers={"Retry-After": "30"})
    connector = connect("hubspot", transport)
    with pytest.raises(RateLimitedError) as caught:
        await connector.fetch_contacts(["1001"])
    # no retry was scheduled: the call gave up at once instead of waiting out its budget
    assert retry_waits == []
    assert caught.value.retry_after == 30
    assert len(calls) == 1


# -- item 20: circuit breaker -----------------------------------------------------------------


def with_manual_breaker_clock(connector: PooledConnector) -> ManualClock:
    """Give the connector's circuit breaker (same settings) a clock the test moves."""
    clock = ManualClock()
    old = connector.client.breaker
    connector.client.breaker = CircuitBreaker(
        old.system, failure_threshold=old.failure_threshold, cooldown=old.cooldown, clock=clock
    )
    return clock


@pytest.mark.parametrize("system", SYSTEMS)
async def test_20_circuit_opens_fails_fast_and_half_opens_after_cooldown(
    system, simulator, connect, world
) -> None:
    # given a source that always fails, and a threshold of 3 failed calls
    app = simulator(system, FaultSettings(error_rate=1.0))
    connector = connect(system, app)
    clock = with_manual_breaker_clock(connector)
    for _ in range(3):
        with pytest.raises(SourceDownError):
            await primary_call(connector, world)
    upstream_before = app.state.gate.requests
    # when the circuit is open
    with pytest.raises(CircuitOpenError) as caught:
        await primary_call(connector, world)
    # then it failed fast, without an upstream request
    assert app.state.gate.requests == upstream_before
    assert caught.value.status is SourceStatus.CIRCUIT_OPEN
    # and after the cool-down, a healthy source closes it again
    app.state.faults.set(FaultSettings())
    clock.advance(connector.client.breaker.cooldown)
    await primary_call(connector, world)
    await primary_call(connector, world)
    assert app.state.gate.requests > upstream_before


async def test_20_half_open_probe_failure_reopens(connect) -> None:
    transport, calls = scripted(*([503] * 50))
    connector = connect("hubspot", transport, retries={"attempts": 1})
    clock = with_manual_breaker_clock(connector)
    for _ in range(3):
        with pytest.raises(SourceDownError):
            await connector.fetch_contacts(["1001"])
    clock.advance(connector.client.breaker.cooldown)
    with pytest.raises(SourceDownError):
        await connector.fetch_contacts(["1001"])  # the one probe
    probes = len(calls)
    with pytest.raises(CircuitOpenError):
        await connector.fetch_contacts(["1001"])
    assert len(calls) == probes


async def test_4xx_does_not_open_the_circuit(connect) -> None:
    transport, calls = scripted(*([404] * 10))
    connector = connect("hubspot", transport)
    for _ in range(5):
        with pytest.raises(ConnectorError) as caught:
            await connector.fetch_contacts(["1001"])
        assert not isinstance(caught.value, CircuitOpenError)
    assert len(calls) == 5
