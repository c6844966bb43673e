"""A clock for tests that moves only when told to: time-dependent code proven without waiting."""

from __future__ import annotations

import asyncio


class ManualClock:
    """A clock that moves only when told to, or when `sleep` is awaited (then at once)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a point where other tasks run, as a real sleep is
