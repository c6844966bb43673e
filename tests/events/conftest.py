"""Live-update fixtures: the simulators and a gateway over a store of the test's own."""

from __future__ import annotations

from tests.metrics.conftest import seeded_url, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]
