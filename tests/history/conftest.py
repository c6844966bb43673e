"""History fixtures: the simulators and a seeded gateway, as the metrics tests have them."""

from __future__ import annotations

from tests.metrics.conftest import seeded_url, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]
