"""Live updates: commit-to-subscriber latency with many open subscriptions, and outbound
webhook delivery throughput, against a real `c360 serve` process.

    python -m bench.live_updates [--backend sqlite|postgres] [--subscriptions 500]

Latency is from the event's `occurredAt` (taken in the writing transaction, before its commit)
to its arrival at each subscriber over a real WebSocket; every subscriber receives every
event (`customerEventStream`). Throughput is deliveries a second to a local receiver that
always answers 204, from the first write until the last delivery arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
import orjson
import uvicorn
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from bench.server import (
    admin_key,
    cpu_seconds,
    free_port,
    gateway,
    sample_ids,
    seeded_database,
)

STREAM = "subscription { customerEventStream(kinds: [METRIC_CHANGED]) { id occurredAt } }"
RECORD = """
mutation($input: RecordMetricInput!) { recordMetric(input: $input) { name } }
"""
CREATE_ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(url: $url, purpose: "support", kinds: [METRIC_CHANGED]) {
    endpoint { id }
  }
}
"""
# The store is reused by the next run: its receiver will be gone, so the endpoint must go too.
DISABLE_ENDPOINT = "mutation($id: ID!) { disableWebhookEndpoint(id: $id) { enabled } }"
console = Console()


def _global(customer_id: str) -> str:
    return base64.b64encode(f"Customer:{customer_id}".encode()).decode()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _subscriber(url: str, key: str, ready: asyncio.Event, wanted: int, out: list) -> None:
    # The `websockets` client, not httpx-ws: with 500 sockets in one process, httpx-ws's
    # per-message cost made the benchmark's own client the bottleneck it measured.
    endpoint = url.replace("http", "ws", 1) + "/graphql"
    async with connect(endpoint, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            orjson.dumps({"type": "connection_init", "payload": {"X-API-Key": key}}).decode()
        )
        await ws.recv()
        subscribe = {"type": "subscribe", "id": "1", "payload": {"query": STREAM}}
        await ws.send(orjson.dumps(subscribe).decode())
        ready.set()
        received = 0
        while received < wanted:
            message = orjson.loads(await asyncio.wait_for(ws.recv(), 60))
            arrived = time.time()
            if message["type"] == "ping":
                await ws.send('{"type":"pong"}')
                continue
            at = message["payload"]["data"]["customerEventStream"]["occurredAt"]
            out.append((at, arrived - datetime.fromisoformat(at).timestamp()))
            received += 1


async def _record(client: httpx.AsyncClient, url: str, key: str, customer: str, n: int) -> None:
    variables = {"input": {"customerId": customer, "name": "bench_metric", "value": float(n)}}
    response = await client.post(
        f"{url}/graphql",
        json={"query": RECORD, "variables": variables},
        headers={"X-API-Key": key},
    )
    response.raise_for_status()


@dataclass
class Latency:
    samples: list[tuple[str, float]]  # (the event's occurredAt, its delay to one subscriber)
    server_cpu: float  # seconds, from the first write to the last arrival
    client_cpu: float  # this process's, over the same span (its 500 sockets included)

    def delays(self) -> list[float]:
        return [delay for _, delay in self.samples]

    def first_arrivals(self) -> list[float]:
        first: dict[str, float] = {}
        for at, delay in self.samples:
            first[at] = min(delay, first.get(at, delay))
        return list(first.values())


async def latency(
    url: str, key: str, customers: list[str], subscriptions: int, events: int, pid: int
) -> Latency:
    """Arrival delays, and CPU from the first write to the last arrival (the writes
    themselves included, the connects and subscribes not)."""
    samples: list[tuple[str, float]] = []
    async with httpx.AsyncClient(timeout=60) as client:
        readies = [asyncio.Event() for _ in range(subscriptions)]
        tasks = [
            asyncio.create_task(_subscriber(url, key, ready, events, samples)) for ready in readies
        ]
        for ready in readies:
            await ready.wait()
        await asyncio.sleep(1.0)  # every subscribe is registered server-side
        server_before, client_before = cpu_seconds(pid), time.process_time()
        for n in range(events):
            await _record(client, url, key, customers[n % len(customers)], n)
            await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
        server_cpu = cpu_seconds(pid) - server_before
        client_cpu = time.process_time() - client_before
    return Latency(samples, server_cpu, client_cpu)


async def throughput(url: str, key: str, customers: list[str], deliveries: int):
    received: list[float] = []

    async def hook(request: Request) -> Response:
        await request.body()
        received.append(time.perf_counter())
        return Response(status_code=204)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": CREATE_ENDPOINT, "variables": {"url": f"http://127.0.0.1:{port}/hook"}},
            headers={"X-API-Key": key},
        )
        response.raise_for_status()
        endpoint = response.json()["data"]["createWebhookEndpoint"]["endpoint"]["id"]
        start = time.perf_counter()
        slots = asyncio.Semaphore(8)

        async def one(n: int) -> None:
            async with slots:
                await _record(client, url, key, customers[n % len(customers)], n)

        await asyncio.gather(*(one(n) for n in range(deliveries)))
        written = time.perf_counter() - start
        while len(received) < deliveries:
            await asyncio.sleep(0.05)
        elapsed = received[-1] - start
        response = await client.post(
            f"{url}/graphql",
            json={"query": DISABLE_ENDPOINT, "variables": {"id": endpoint}},
            headers={"X-API-Key": key},
        )
        response.raise_for_status()
    server.should_exit = True
    await serving
    return written, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--subscriptions", type=int, default=500)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=2000)
    args = parser.parse_args()
    database_url = seeded_database(args.backend, args.customers)
    key = admin_key(database_url, "bench-live-updates")
    customers = [_global(c) for c in sample_ids(database_url, 200)]
    with gateway(database_url, extra_env={"C360_EVENTS_POLL_SECONDS": "1"}) as running:
        measured = asyncio.run(
            latency(running.url, key, customers, args.subscriptions, args.events, running.pid)
        )
        written, elapsed = asyncio.run(throughput(running.url, key, customers, args.deliveries))
    delays, firsts = measured.delays(), measured.first_arrivals()
    table = Table(title=f"live updates ({args.backend}, one `c360 serve` worker)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("open subscriptions", f"{args.subscriptions}")
    table.add_row("events (each to every subscriber)", f"{args.events}")
    table.add_row("commit-to-subscriber p50", f"{statistics.median(delays) * 1000:.1f} ms")
    table.add_row("commit-to-subscriber p99", f"{_percentile(delays, 0.99) * 1000:.1f} ms")
    table.add_row("commit-to-subscriber max", f"{max(delays) * 1000:.1f} ms")
    table.add_row("commit-to-first-subscriber p50", f"{statistics.median(firsts) * 1000:.1f} ms")
    table.add_row(
        "server CPU per event (its write + fan-out to all)",
        f"{measured.server_cpu / args.events * 1000:.1f} ms",
    )
    table.add_row(
        "benchmark client CPU per event (all its sockets)",
        f"{measured.client_cpu / args.events * 1000:.1f} ms",
    )
    table.add_row("webhook deliveries", f"{args.deliveries}")
    table.add_row("writes/s (recordMetric, 8 in flight)", f"{args.deliveries / written:.0f}")
    table.add_row(
        "webhook deliveries/s (first write to last delivery)", f"{args.deliveries / elapsed:.0f}"
    )
    console.print(table)


if __name__ == "__main__":
    main()
