"""Issue 13 benchmark: `businessMetrics` and `retentionCohorts` over 1,000,000 customers.

    python -m bench.business_metrics [--customers 1000000] [--spend-rows 10000]
        [--requests 30] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Generates a store directly with bulk inserts (SQLite: executemany in one transaction;
PostgreSQL: COPY), reused on the next run: customers acquired uniformly over 2021-2025 through
8 channels and 96 campaigns, a fifth of them lost later, four in five with a current order
count and CLVs, their acquisition rollups, and monthly spend rows over the five years. Then
sends each query `--requests` times, one at a time, to the real app in-process (ASGI, no
network) as an analyst, and prints wall-clock p50 / p95 / p99 and process CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from app.logs import configure_logging
from app.privacy.api_keys import ApiKeyService
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.db import Database, create_engine
from app.store.migrate import refresh_statistics, upgrade
from app.store.models import (
    Acquisition,
    AcquisitionMovement,
    AcquisitionRetention,
    AcquisitionSpend,
    Customer,
)
from app.store.repositories.acquisitions import AcquisitionFacts, rollup_rows
from composition.asgi import create_app, tune_garbage_collector

OUT = Path(__file__).resolve().parent / "out"
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 5 * 365 * 86400
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CHANNELS = ("organic", "paid_search", "paid_social", "email", "referral", "direct", "tv", "events")
CAMPAIGNS = {channel: [f"{channel}-{n:02d}" for n in range(12)] for channel in CHANNELS}
CATEGORIES = (
    "MEDIA",
    "DIRECT_MARKETING",
    "SALES_MARKETING_SALARIES",
    "TOOLS_SOFTWARE",
    "PROFESSIONAL_SERVICES",
    "OVERHEAD",
)
YEAR = {"from": "2025-01-01", "to": "2025-12-31"}
ALL = {"from": "2021-01-01", "to": "2025-12-31"}
QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("businessMetrics", "NONE", YEAR),
    ("businessMetrics", "CHANNEL", YEAR),
    ("businessMetrics", "CAMPAIGN", YEAR),
    ("businessMetrics", "MONTH", YEAR),
    ("businessMetrics", "QUARTER", YEAR),
    ("businessMetrics", "NONE", ALL),
    ("businessMetrics", "CAMPAIGN", ALL),
    ("retentionCohorts", "MONTH", ALL),
    ("retentionCohorts", "QUARTER", ALL),
]
VALUE = "{ value n reason }"
BUSINESS = f"""
query B($from: Date!, $to: Date!, $groupBy: BusinessGroupBy!) {{
  businessMetrics(from: $from, to: $to, groupBy: $groupBy, costBasis: FULLY_LOADED) {{
    groups {{
      key customersAtStart customersAtEnd acquired lost spend
      acquisitionRate {VALUE} attritionRate {VALUE} growthIndex {VALUE} churnRate {VALUE}
      cac {VALUE} averageClv {VALUE} ltvToCac {VALUE} paybackMonths {VALUE}
      repeatPurchaseRate {VALUE} arpu {VALUE}
    }}
  }}
}}
"""
COHORTS = """
query C($from: Date!, $to: Date!, $period: CohortPeriod!) {
  retentionCohorts(from: $from, to: $to, period: $period) {
    cohort customers retained rates
  }
}
"""
CHUNK = 20_000


def _people(customers: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(customer rows, acquisition rows) as tuples in column order."""
    rng = random.Random(13)
    people, acquisitions = [], []
    for n in range(customers):
        customer_id = f"bench-{n:08d}"
        acquired_at = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        channel = rng.choice(CHANNELS)
        campaign = rng.choice(CAMPAIGNS[channel]) if rng.random() < 0.7 else None
        lost_at = None
        if rng.random() < 0.2:
            lost_at = acquired_at + (NOW - acquired_at) * rng.uniform(0.05, 0.95)
        stage = "past" if lost_at else "active"
        people.append((customer_id, stage, "person", 1, acquired_at, lost_at or acquired_at))
        valued = rng.random() < 0.8
        orders = float(rng.randint(0, 9)) if valued else None
        clv_historical = rng.uniform(0, 2000) if valued else None
        clv_predicted = rng.uniform(0, 900) if valued else None
        acquisitions.append(
            (customer_id, acquired_at, channel, campaign, "bench", lost_at, NOW, orders,
             clv_historical, clv_predicted)
        )  # fmt: skip
    return people, acquisitions


def _rollups(acquisitions: list[tuple[Any, ...]]) -> tuple[list[dict], list[dict]]:
    """The movement and retention rows of the acquisitions, as the write path keeps them."""
    return rollup_rows(AcquisitionFacts(*row[:6], *row[7:]) for row in acquisitions)


def _spend(rows: int) -> list[dict[str, Any]]:
    rng = random.Random(14)
    months = [(2021 + i // 12, i % 12 + 1) for i in range(60)]
    spend = []
    for n in range(rows):
        year, month = months[n % 60]
        start = date(year, month, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        channel = rng.choice((*CHANNELS, None))
        campaign = rng.choice(CAMPAIGNS[channel]) if channel and rng.random() < 0.5 else None
        amount = round(rng.uniform(100, 20_000), 2)
        spend.append(
            {
                "period_start": start,
                "period_end": end,
                "channel": channel,
                "campaign": campaign,
                "category": rng.choice(CATEGORIES),
                "amount": amount,
                "original_amount": amount,
                "currency": "EUR",
                "source": "bench",
                "recorded_at": NOW,
            }
        )
    return spend


async def _populate(url: str, customers: int, spend_rows: int) -> None:
    people, acquisitions = _people(customers)
    movement, cohorts = _rollups(acquisitions)
    db = Database(url)
    try:
        async with db.transaction() as session:
            if url.startswith("postgresql"):
                connection = await session.connection()
                raw = (await connection.get_raw_connection()).driver_connection
                await raw.copy_records_to_table(  # type: ignore[union-attr]
                    "customer",
                    records=people,
                    columns=["id", "lifecycle_stage", "profile_type", "version", "created_at",
                             "updated_at"],
                )  # fmt: skip
                await raw.copy_records_to_table(  # type: ignore[union-attr]
                    "acquisition",
                    records=acquisitions,
                    columns=[c.name for c in Acquisition.__table__.columns],  # type: ignore[attr-defined]
                )
            else:
                customer_columns = ("id", "lifecycle_stage", "profile_type", "version",
                                    "created_at", "updated_at")  # fmt: skip
                acquisition_columns = [c.name for c in Acquisition.__table__.columns]  # type: ignore[attr-defined]
                for start in range(0, customers, CHUNK):
                    part = people[start : start + CHUNK]
                    await session.execute(
                        insert(Customer),
                        [dict(zip(customer_columns, p, strict=True)) for p in part],
                    )
                    part = acquisitions[start : start + CHUNK]
                    await session.execute(
                        insert(Acquisition),
                        [dict(zip(acquisition_columns, a, strict=True)) for a in part],
                    )
            for start in range(0, len(movement), CHUNK):
                await session.execute(insert(AcquisitionMovement), movement[start : start + CHUNK])
            await session.execute(insert(AcquisitionRetention), cohorts)
            await session.execute(insert(AcquisitionSpend), _spend(spend_rows))
    finally:
        await db.dispose()


async def _counts(url: str) -> tuple[int, int, int]:
    db = Database(url)
    try:
        async with db.session() as session:
            return (
                int(await session.scalar(select(func.count()).select_from(Acquisition)) or 0),
                int(await session.scalar(select(func.count()).select_from(AcquisitionSpend)) or 0),
                int(
                    await session.scalar(select(func.count()).select_from(AcquisitionMovement)) or 0
                ),
            )
    finally:
        await db.dispose()


async def _run(url: str, requests: int) -> list[tuple[str, str, str, list[float], list[float]]]:
    settings = Settings(database_url=url, log_json=False, request_timeout_seconds=600)
    app = create_app(settings)
    results = []
    async with LifespanManager(app):
        tune_garbage_collector()  # as `c360 serve` does
        created = await ApiKeyService(app.state.db).create(
            name="bench-analyst", role=Role.ANALYST, purpose=Purpose.ANALYTICS
        )
        headers = {"X-API-Key": created.key, "accept": "application/graphql-response+json"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for field, group, span in QUERIES:
                if field == "businessMetrics":
                    body = {"query": BUSINESS, "variables": {**span, "groupBy": group}}
                else:
                    body = {"query": COHORTS, "variables": {**span, "period": group}}
                timings, cpu = [], []
                for attempt in range(requests + 2):
                    began, cpu_began = time.perf_counter(), time.process_time()
                    response = await client.post("/graphql", json=body, headers=headers)
                    elapsed = (time.perf_counter() - began) * 1000
                    used = (time.process_time() - cpu_began) * 1000
                    answer = response.json()
                    assert "errors" not in answer, answer
                    if attempt >= 2:  # warm-up: the first calls fill the page cache
                        timings.append(elapsed)
                        cpu.append(used)
                label = "2025" if span is YEAR else "2021-2025"
                results.append((field, group, label, timings, cpu))
    return results


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


async def _postgres_database(admin_url: str, name: str) -> tuple[str, bool]:
    """The URL of database `name` beside `admin_url`, and whether it already existed."""
    engine = create_engine(admin_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not found:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, bool(found)


async def _vacuum(url: str) -> None:
    """Set PostgreSQL's visibility map after the bulk load, so index-only scans stay so."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--spend-rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", help="an admin URL; the bench makes its own database")
    args = parser.parse_args()
    configure_logging("WARNING", json=True)
    name = f"business_metrics_{args.customers}_{args.spend_rows}"
    if args.postgres:
        url, existed = asyncio.run(_postgres_database(args.postgres, f"c360_bench_{name}"))
        backend = "PostgreSQL"
    else:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"{name}.db"
        url, existed, backend = f"sqlite+aiosqlite:///{path}", path.exists(), "SQLite"
    upgrade(url)
    if not existed:
        began = time.perf_counter()
        asyncio.run(_populate(url, args.customers, args.spend_rows))
        refresh_statistics(url)  # as `c360 db upgrade` and `c360 seed` do
        if args.postgres:
            asyncio.run(_vacuum(url))
        print(f"populated in {time.perf_counter() - began:.1f} s")
    customers, spend, movement = asyncio.run(_counts(url))
    results = asyncio.run(_run(url, args.requests))
    table = Table(
        title=f"businessMetrics (FULLY_LOADED) and retentionCohorts over {customers:,} customers, "
        f"{spend:,} spend rows, {movement:,} movement rows ({backend})"
    )
    columns = ("query", "groupBy / period", "range", "n", "p50 ms", "p95 ms", "p99 ms",
               "CPU p50 ms", "CPU p99 ms")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for field, group, label, timings, cpu in results:
        table.add_row(
            field,
            group,
            label,
            str(len(timings)),
            f"{statistics.median(timings):.1f}",
            f"{_quantile(timings, 0.95):.1f}",
            f"{_quantile(timings, 0.99):.1f}",
            f"{statistics.median(cpu):.1f}",
            f"{_quantile(cpu, 0.99):.1f}",
        )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
