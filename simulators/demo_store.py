"""The demo's store: whether it holds customers yet, and seeding it (with progress bars).

Used by `c360 seed` (simulators/cli.py) and `c360 demo` (simulators/demo.py).
"""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from app.customers.listing import count_customers
from app.settings import Settings
from app.store.db import Database, run_with_database
from app.store.migrate import refresh_statistics
from app.store.repositories.customers import CustomerFilter
from simulators.demo_metrics import compute_seeded_metrics
from simulators.seeding import seed

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def seed_store(settings: Settings, customers: int, seed_value: int) -> int:
    """Seed the configured store, then compute its metrics from the simulated sources (with
    progress bars); returns the rows written."""

    async def run(progress: Progress) -> int:
        task = progress.add_task("seeding customers", total=customers)
        metrics_task = progress.add_task("computing metrics", total=customers)
        db = Database(settings.database_url, pool_size=settings.database_pool_size)
        try:
            summary = await seed(
                db,
                customers=customers,
                seed_value=seed_value,
                on_progress=lambda n: progress.advance(task, n),
            )
            computed = await compute_seeded_metrics(
                db,
                settings,
                customers=customers,
                seed_value=seed_value,
                on_start=lambda total: progress.update(metrics_task, total=total),
                on_progress=lambda n: progress.advance(metrics_task, n),
            )
        finally:
            await db.dispose()
        return summary.rows + computed.written

    with _progress() as progress:
        rows = asyncio.run(run(progress))
    refresh_statistics(settings.database_url)
    return rows


def store_is_empty(settings: Settings) -> bool:
    """Whether the configured store holds no live customer."""
    count = run_with_database(
        settings.database_url, lambda db: count_customers(db, criteria=CustomerFilter())
    )
    return count == 0
