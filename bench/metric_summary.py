"""Issue 6 benchmark: `metricSummary` latency over 1,000,000 metric observations.

    python -m bench.metric_summary [--customers 100000] [--observations 1000000] [--requests 60]

Writes a store (bench/out/metric_summary.db, reused) of customers with a segment, a stage,
a region and channel preferences, and observations of nps, csat, churn_risk and clv_predicted
spread over two years; then sends each query `--requests` times (a sixth of that for queries
that read the history), one at a time, to the real app in-process (ASGI, no network) and
prints wall-clock p50 / p95 / p99 and the process CPU time per request (the latency an idle
core would give when the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select

from app.logs import configure_logging
from app.privacy.api_keys import ApiKeyService
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import refresh_statistics, upgrade
from app.store.models import ContactPoint, Customer, MetricObservation, Preference
from app.store.repositories.metric_current import append_observations
from composition.asgi import create_app, tune_garbage_collector

OUT = Path(__file__).resolve().parent / "out"
SEGMENTS = ("gold", "silver", "bronze", "staff", None)
STAGES = ("prospect", "active", "past")
REGIONS = ("North", "South", "East", "West", "Wales", "Scotland")
CHANNELS = (["email"], ["sms"], ["email", "sms"], ["phone"], ["post"], [])
METRICS = {"nps": (0, 10), "csat": (0, 100), "churn_risk": (0, 1), "clv_predicted": (0, 900)}
QUERIES = [
    ("nps", "NONE", False),
    ("nps", "SEGMENT", False),
    ("nps", "SEGMENT", True),
    ("nps", "QUARTER", True),
    ("csat", "LIFECYCLE_STAGE", False),
    ("churn_risk", "REGION", False),
    ("nps", "CHANNEL", False),
    ("clv_predicted", "MONTH", True),
]
SUMMARY = """
query Summary($name: String!, $groupBy: MetricGroupBy!, $from: DateTime, $to: DateTime) {
  metricSummary(name: $name, groupBy: $groupBy, from: $from, to: $to) {
    groups { key n value ciLow ciHigh }
  }
}
"""
NOW = datetime(2026, 11, 1, tzinfo=UTC)


async def _populate(db: Database, customers: int, observations: int) -> None:
    rng = random.Random(6)
    per_customer = max(1, observations // customers)
    names = list(METRICS)
    async with db.transaction() as session:
        for start in range(0, customers, 5000):
            ids = [f"bench-{n:08d}" for n in range(start, min(customers, start + 5000))]
            await session.execute(
                insert(Customer),
                [
                    {
                        "id": i,
                        "lifecycle_stage": rng.choice(STAGES),
                        "segment": rng.choice(SEGMENTS),
                        "given_name": "Bench",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(ContactPoint),
                [
                    {
                        "customer_id": i,
                        "kind": "address",
                        "label": "home",
                        "value": "1 Bench Street",
                        "region": rng.choice(REGIONS),
                        "country": "GB",
                        "is_primary": True,
                        "source": "bench",
                        "created_at": NOW,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Preference),
                [
                    {
                        "customer_id": i,
                        "channels": rng.choice(CHANNELS),
                        "topics": [],
                        "product_interests": [],
                        "updated_at": NOW,
                    }
                    for i in ids
                ],
            )
            rows = []
            for i in ids:
                for _ in range(per_customer):
                    name = rng.choice(names)
                    low, high = METRICS[name]
                    value = rng.randint(low, high) if name == "nps" else rng.uniform(low, high)
                    rows.append(
                        {
                            "customer_id": i,
                            "name": name,
                            "value": float(value),
                            "observed_at": NOW - timedelta(minutes=rng.randrange(0, 2 * 525_600)),
                            "source": "bench",
                            "method": "bench.v1",
                            "details": None,
                        }
                    )
            await append_observations(session, rows)


async def _run(url: str, requests: int) -> list[Any]:
    # History scans (ranges, months) take seconds at this size: no request time limit here.
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
            for name, group, ranged in QUERIES:
                variables = {"name": name, "groupBy": group}
                if ranged:
                    variables["from"] = (NOW - timedelta(days=365)).isoformat()
                    variables["to"] = NOW.isoformat()
                timings, cpu = [], []
                # Only a range without a time grouping still ranks the history (slow).
                slow = ranged and group not in ("MONTH", "QUARTER")
                count = max(3, requests // 6) if slow else requests
                for attempt in range(count + 2):
                    began, cpu_began = time.perf_counter(), time.process_time()
                    response = await client.post(
                        "/graphql", json={"query": SUMMARY, "variables": variables}, headers=headers
                    )
                    elapsed = (time.perf_counter() - began) * 1000
                    used = (time.process_time() - cpu_began) * 1000
                    body = response.json()
                    assert "errors" not in body, body
                    if attempt >= 2:  # warm-up: the first calls fill the page cache
                        timings.append(elapsed)
                        cpu.append(used)
                results.append((name, group, ranged, timings, cpu))
    return results


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


async def _count(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            from sqlalchemy import func

            return int(await session.scalar(select(func.count()).select_from(MetricObservation)))
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    configure_logging("WARNING", json=True)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"metric_summary_{args.customers}_{args.observations}.db"
    url = f"sqlite+aiosqlite:///{path}"
    existed = path.exists()
    upgrade(url)  # a reused store gets the indexes of newer migrations too
    if not existed:

        async def populate() -> None:
            db = Database(url)
            try:
                await _populate(db, args.customers, args.observations)
            finally:
                await db.dispose()

        began = time.perf_counter()
        asyncio.run(populate())
        refresh_statistics(url)  # as `c360 db upgrade` and `c360 seed` do
        print(f"populated in {time.perf_counter() - began:.1f} s")
    total = asyncio.run(_count(url))
    results = asyncio.run(_run(url, args.requests))
    table = Table(
        title=f"metricSummary over {total:,} observations, {args.customers:,} customers (SQLite)"
    )
    columns = ("metric", "groupBy", "range", "n", "p50 ms", "p95 ms", "p99 ms", "CPU p50 ms",
               "CPU p99 ms")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for name, group, ranged, timings, cpu in results:
        table.add_row(
            name,
            group,
            "1 year" if ranged else "all",
            str(len(timings)),
            f"{statistics.median(timings):.1f}",
            f"{_quantile(timings, 0.95):.1f}",
            f"{_quantile(timings, 0.99):.1f}",
            f"{statistics.median(cpu):.1f}",
            f"{_quantile(cpu, 0.99):.1f}",
        )
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
