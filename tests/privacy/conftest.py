"""Privacy fixtures: the simulators and seeded store of the source tests, for source PII."""

from __future__ import annotations

from tests.sources.conftest import seeded_url, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]
