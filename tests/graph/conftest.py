"""Customer graph fixtures: the simulators and seeded store the source tests share."""

from __future__ import annotations

from tests.sources.conftest import seeded_url, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]
