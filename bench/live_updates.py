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
from datetime import datetime

import httpx
import uvicorn
from httpx_ws import aconnect_ws
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.server import admin_key, free_port, gateway, sample_ids, seeded_database

STREAM = "subscription { customerEventStream(kinds: [METRIC_CHANGED]) { id occurredAt } }"
RECORD = """
mutation($input: RecordMetricInput!) { recordMetric(input: $input) { name } }
"""
CREATE_ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(url: $url, purpose: "support", kinds: [METRIC_CHANGED]) { secret }
}
"""
console = Console()


def _global(customer_id: str) -> str:
    return base64.b64encode(f"Customer:{customer_id}".encode()).decode()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _subscriber(
    client: httpx.AsyncClient, url: str, key: str, ready: asyncio.Event, wanted: int, out: list
) -> None:
    async with aconnect_ws(f"{url}/graphql", client, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send_json({"type": "connection_init", "payload": {"X-API-Key": key}})
        await ws.receive_json()
        await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": STREAM}})
        ready.set()
        received = 0
        while received < wanted:
            message = await ws.receive_json(timeout=60)
            if message["type"] == "ping":
                await ws.send_json({"type": "pong"})
                continue
            arrived = time.time()
            at = message["payload"]["data"]["customerEventStream"]["occurredAt"]
            out.append(arrived - datetime.fromisoformat(at).timestamp())
            received += 1


async def _record(client: httpx.AsyncClient, url: str, key: str, customer: str, n: int) -> None:
    variables = {"input": {"customerId": customer, "name": "bench_metric", "value": float(n)}}
    response = await client.post(
        f"{url}/graphql",
        json={"query": RECORD, "variables": variables},
        headers={"X-API-Key": key},
    )
    response.raise_for_status()


async def latency(url: str, key: str, customers: list[str], subscriptions: int, events: int):
    samples: list[float] = []
    limits = httpx.Limits(max_connections=subscriptions + 10)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        readies = [asyncio.Event() for _ in range(subscriptions)]
        tasks = [
            asyncio.create_task(_subscriber(client, url, key, ready, events, samples))
            for ready in readies
        ]
        for ready in readies:
            await ready.wait()
        await asyncio.sleep(1.0)  # every subscribe is registered server-side
        for n in range(events):
            await _record(client, url, key, customers[n % len(customers)], n)
            await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
    return samples


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
        samples = asyncio.run(latency(running.url, key, customers, args.subscriptions, args.events))
        written, elapsed = asyncio.run(throughput(running.url, key, customers, args.deliveries))
    table = Table(title=f"live updates ({args.backend}, one `c360 serve` worker)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("open subscriptions", f"{args.subscriptions}")
    table.add_row("events (each to every subscriber)", f"{args.events}")
    table.add_row("commit-to-subscriber p50", f"{statistics.median(samples) * 1000:.1f} ms")
    table.add_row("commit-to-subscriber p99", f"{_percentile(samples, 0.99) * 1000:.1f} ms")
    table.add_row("commit-to-subscriber max", f"{max(samples) * 1000:.1f} ms")
    table.add_row("webhook deliveries", f"{args.deliveries}")
    table.add_row("writes/s (recordMetric, 8 in flight)", f"{args.deliveries / written:.0f}")
    table.add_row(
        "webhook deliveries/s (first write to last delivery)", f"{args.deliveries / elapsed:.0f}"
    )
    console.print(table)


if __name__ == "__main__":
    main()
