"""Issue 4 benchmark: the support-desk query with slow source systems in their own processes.

    python -m bench.support_desk [--customers 5000] [--duration 8]

The four simulators run as `c360 sim` processes adding 40 ms (ERP), 60 ms (CRM), 80 ms
(survey) and 70 ms (support desk, Zendesk described by configuration only) to every request;
the gateway runs as `c360 serve`. For 1, 10 and 50 concurrent clients it prints gateway
p50/p99 and the gateway's overhead over the slowest source of each request (request latency
minus the largest `sources.latencyMs`), with a cold cache (a fresh gateway, each customer asked
once) and a warm one (a small set of customers asked again and again); then the upstream calls
one `customers(first: 50)` page costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from rich.console import Console
from rich.table import Table
from strawberry.relay import to_base64

from bench.server import (
    C360,
    admin_key,
    cpu_seconds,
    free_port,
    gateway,
    run_load,
    sample_ids,
    seeded_database,
)
from connectors.config_toml import dump_connectors_config
from simulators.config import demo_config, demo_environment

LATENCY_MS = {"odoo": 40.0, "hubspot": 60.0, "surveymonkey": 80.0, "zendesk": 70.0}
SUPPORT_DESK = """
query SupportDesk($id: ID!) {
  customer(id: $id) {
    id displayName lifecycleStage segment
    emails { address } phones { number }
    identities { system externalId }
    sources { system status latencyMs fetchedAt }
    interactions(first: 20) { edges { node { occurredAt source channel kind summary } } }
    tickets(status: OPEN) { system subject status createdAt }
    orders(first: 5) { edges { node { number orderedAt amountTotal } } }
    surveyResponses(first: 1) { edges { node { submittedAt nps comment } } }
  }
}
"""
PAGE = """
{ customers(first: 50) { edges { node { id crm { lifecycleStage } } } } }
"""


@dataclass(frozen=True)
class Simulators:
    """The running simulators: the connectors file that points at them, and their pids."""

    connectors_file: Path
    pids: list[int]


@contextmanager
def simulators(
    customers: int, *, latency: bool = True, in_flight: int | None = None
) -> Iterator[Simulators]:
    """The four simulators (Zendesk described by configuration only), each in its own process.

    `latency=False` leaves out the injected latency (for CPU profiles of the gateway);
    `in_flight` replaces each connector's limit on calls in flight (`max_concurrency`).
    """
    ports = {system: free_port() for system in LATENCY_MS}
    processes = [
        subprocess.Popen(
            [
                C360,
                "sim",
                system,
                "--port",
                str(port),
                "--customers",
                str(customers),
                "--latency-ms",
                str(LATENCY_MS[system] if latency else 0.0),
            ],
            env={**os.environ, "C360_LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for system, port in ports.items()
    ]
    with tempfile.TemporaryDirectory(prefix="c360-bench-") as directory:
        path = Path(directory) / "connectors.toml"
        config = demo_config(ports=ports)
        if in_flight is not None:
            limited = {"max_concurrency": in_flight}
            config = config.model_copy(
                update={
                    "connectors": {
                        name: settings.model_copy(update=limited)
                        for name, settings in config.connectors.items()
                    }
                }
            )
        path.write_text(dump_connectors_config(config), encoding="utf-8")
        try:
            for port in ports.values():
                _wait_for(f"http://127.0.0.1:{port}/")
            yield Simulators(path, [process.pid for process in processes])
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)


def _wait_for(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def _upstream_calls_per_page(base_url: str, key: str) -> dict[str, int]:
    """Upstream HTTP requests per system for one `customers(first: 50)` page with CRM fields."""
    before = _upstream_by_system(base_url, key)
    httpx.post(f"{base_url}/graphql", json={"query": PAGE}, headers={"X-API-Key": key}, timeout=30)
    after = _upstream_by_system(base_url, key)
    return {system: int(after[system] - before.get(system, 0)) for system in after}


def _upstream_by_system(base_url: str, key: str) -> dict[str, float]:
    metrics = httpx.get(f"{base_url}/metrics", headers={"X-API-Key": key}).text
    totals: dict[str, float] = {}
    for line in metrics.splitlines():
        if line.startswith("c360_connector_upstream_requests_total{"):
            system = line.split('system="', 1)[1].split('"', 1)[0]
            totals[system] = totals.get(system, 0.0) + float(line.rsplit(" ", 1)[1])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--cache", nargs="+", choices=["cold", "warm"], default=["cold", "warm"])
    parser.add_argument(
        "--in-flight", type=int, help="calls in flight per source system (default: the config's)"
    )
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument(
        "--cache-url", help="shared source cache (redis://...), so warm means warm in every worker"
    )
    args = parser.parse_args()
    console = Console(width=170)
    url = seeded_database("sqlite", args.customers)
    key = admin_key(url)
    headers = {"X-API-Key": key}
    ids = sample_ids(url, args.customers)
    processes = "one gateway process" if args.workers == 1 else f"{args.workers} gateway workers"
    table = Table(
        title=f"Support-desk query, sources at 40/60/80/70 ms (ERP/CRM/survey/desk), {processes}"
    )
    for column in (
        "cache",
        "clients",
        "p50 ms",
        "p99 ms",
        "overhead p50",
        "overhead p99",
        "req/s",
        "errors",
        "gateway CPU ms/req",
        "sources CPU ms/req",
        "client CPU ms/req",
    ):
        table.add_column(column, justify="right")
    environ = {**demo_environment(), "C360_LOG_LEVEL": "WARNING"}
    if args.cache_url:
        environ["C360_CACHE_URL"] = args.cache_url
    with simulators(args.customers, in_flight=args.in_flight) as sims:
        environ["C360_CONNECTORS_FILE"] = str(sims.connectors_file)
        pages_calls: dict[str, int] | None = None
        for cache in args.cache:
            for clients in args.concurrency:
                # A fresh gateway per cold run: its in-process cache starts empty; so must a
                # shared one.
                if cache == "cold" and args.cache_url:
                    redis.Redis.from_url(args.cache_url).flushdb()
                with gateway(url, workers=args.workers, extra_env=environ) as served:
                    chosen = ids if cache == "cold" else ids[:50]
                    spec = {
                        "payloads": [
                            {"query": SUPPORT_DESK, "variables": {"id": to_base64("Customer", i)}}
                            for i in chosen
                        ],
                        "headers": headers,
                        "sequential": cache == "cold",
                    }
                    if cache == "warm":
                        # Warm means warm: every customer's sources are cached before timing.
                        for payload in spec["payloads"]:
                            httpx.post(
                                f"{served.url}/graphql", json=payload, headers=headers, timeout=30
                            )
                    cpu_before = cpu_seconds(served.pid), cpu_seconds(*sims.pids)
                    result = run_load(
                        served.url, json.dumps(spec), concurrency=clients, duration=args.duration
                    )
                    gateway_cpu = cpu_seconds(served.pid) - cpu_before[0]
                    sources_cpu = cpu_seconds(*sims.pids) - cpu_before[1]
                    if pages_calls is None:
                        pages_calls = _upstream_calls_per_page(served.url, key)
                table.add_row(
                    cache,
                    str(clients),
                    f"{result['p50']:.1f}",
                    f"{result['p99']:.1f}",
                    f"{result['overhead_p50']:.1f}",
                    f"{result['overhead_p99']:.1f}",
                    f"{result['rps']:.0f}",
                    str(result["errors"]),
                    f"{gateway_cpu / result['sent'] * 1000:.1f}",
                    f"{sources_cpu / result['sent'] * 1000:.1f}",
                    f"{result['client_cpu_ms']:.1f}",
                )
                console.log(f"{cache} x{clients}: {result['rps']:.0f} req/s")
                if result["error_kinds"]:
                    console.log(f"{cache} x{clients} errors: {result['error_kinds']}")
    console.print(table)
    console.print(
        f"upstream requests for one customers(first: 50) page with CRM fields: {pages_calls}"
    )


if __name__ == "__main__":
    main()
