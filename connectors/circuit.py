"""A per-system circuit breaker: stop calling a source that keeps failing, probe it later.

Closed: calls pass; `failure_threshold` consecutive failed calls open it. Open: calls fail at
once with `CircuitOpenError`, no request is made. After `cooldown` it half-opens: exactly one
probe call passes (the others still fail fast); its success closes the circuit, its failure
opens it for another cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum

from connectors.errors import CircuitOpenError
from connectors.telemetry import CIRCUIT_STATE


class CircuitState(IntEnum):
    """Breaker states; the values are what the `c360_connector_circuit_state` gauge shows."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Counts consecutive failed calls of one system and fails fast while open."""

    def __init__(
        self,
        system: str,
        *,
        failure_threshold: int,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False
        CIRCUIT_STATE.labels(system).set(CircuitState.CLOSED)

    @property
    def state(self) -> CircuitState:
        """The current state (an open circuit past its cool-down reads as half-open)."""
        if self._state is CircuitState.OPEN and self._cooled_down():
            return CircuitState.HALF_OPEN
        return self._state

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.cooldown

    def _set(self, state: CircuitState) -> None:
        self._state = state
        CIRCUIT_STATE.labels(self.system).set(state)

    def admit(self) -> None:
        """Let a call through, or raise `CircuitOpenError` without touching the network."""
        if self._state is CircuitState.CLOSED:
            return
        if self._state is CircuitState.OPEN and self._cooled_down():
            self._set(CircuitState.HALF_OPEN)
        if self._state is CircuitState.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return
        remaining = max(0.0, self.cooldown - (self._clock() - self._opened_at))
        raise CircuitOpenError(self.system, f"circuit open, next probe in {remaining:.1f}s")

    def record_success(self) -> None:
        """The source answered: reset the count and close the circuit."""
        self._failures = 0
        self._probe_in_flight = False
        if self._state is not CircuitState.CLOSED:
            self._set(CircuitState.CLOSED)

    def record_failure(self) -> None:
        """The source failed (timeout, unreachable, 5xx, garbage): count it, maybe open."""
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
            self._probe_in_flight = False
            self._opened_at = self._clock()
            self._set(CircuitState.OPEN)

    def record_abandoned(self) -> None:
        """The call was cancelled by its caller before the source answered: no verdict."""
        self._probe_in_flight = False
