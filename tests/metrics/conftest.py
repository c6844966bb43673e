"""Metric job fixtures: the simulators and a gateway over a store of the test's own."""

from __future__ import annotations

import pytest

from tests.sources.conftest import seeded_store, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]


@pytest.fixture
def seeded_url(tmp_path) -> str:
    """A store of the test's own (recompute and webhooks write), seeded with the world."""
    return seeded_store(tmp_path / "metrics.db")
