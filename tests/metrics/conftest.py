"""Metric job fixtures: the simulators and a gateway over a store of the test's own."""

from __future__ import annotations

import asyncio

import pytest

from app.seeding import seed
from app.store.db import Database
from app.store.migrate import upgrade
from tests.sources.conftest import WORLD_SEED, WORLD_SIZE, sources, start_gateway, world

__all__ = ["seeded_url", "sources", "start_gateway", "world"]


@pytest.fixture
def seeded_url(tmp_path) -> str:
    """A store of the test's own (recompute and webhooks write), seeded with the world."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'metrics.db'}"
    upgrade(url)

    async def write() -> None:
        db = Database(url)
        try:
            await seed(db, customers=WORLD_SIZE, seed_value=WORLD_SEED)
        finally:
            await db.dispose()

    asyncio.run(write())
    return url
