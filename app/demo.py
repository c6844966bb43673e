"""`c360 demo`: one command from a fresh checkout to a running gateway with data."""

from __future__ import annotations

import asyncio

import uvicorn
from rich.console import Console
from rich.panel import Panel

from app.settings import Settings

SAMPLE_QUERY = """{
  customers(first: 3, filter: {lifecycleStage: ACTIVE}) {
    totalCount
    edges { node { id displayName emails { address } metrics { name value trend } } }
  }
}"""


def run_demo(settings: Settings, console: Console) -> None:
    """Upgrade the store, seed it when empty, print how to start, then serve."""
    from app.cli import _seed
    from app.seeding import count_customers
    from app.store.db import Database
    from app.store.migrate import upgrade

    upgrade(settings.database_url)

    async def existing() -> int:
        db = Database(settings.database_url)
        try:
            return await count_customers(db)
        finally:
            await db.dispose()

    if asyncio.run(existing()) == 0:
        asyncio.run(_seed(settings, settings.demo_customers, settings.seed))
    url = f"http://{settings.host}:{settings.port}/graphql"
    console.print(
        Panel.fit(
            f"GraphiQL: [bold]{url}[/bold]\n\nTry:\n{SAMPLE_QUERY}",
            title="Customer 360 Gateway demo",
        )
    )
    uvicorn.run(
        "app.main:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
