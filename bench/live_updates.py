"""Live updates: commit-to-subscriber latency with many open subscriptions, and outbound
webhook delivery throughput, against a real `c360 serve` process.

    python -m bench.live_updates [--backend sqlite|postgres] [--subscriptions 500]
                                 [--client-processes 2] [--events 100] [--deliveries 2000]
                                 [--workers 1] [--events-redis-url redis://...]

Latency is from the event's `occurredAt` (taken in the writing transaction, before its commit)
to its arrival at each subscriber over a real WebSocket; every subscriber receives every
event (`customerEventStream`). The subscribers are spread over `--client-processes` processes
(the writes come from this one); their CPU is reported apart from the server's. Throughput is
deliveries a second to a local receiver that always answers 204, from the first write until
the last delivery arrived (`--deliveries 0`: not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from urllib.parse import urlsplit

import httpx
import orjson
import uvicorn
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
from websockets.frames import Opcode
from websockets.http11 import Response as Handshake
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

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


class _Subscriber(asyncio.Protocol):
    """One subscriber socket: websockets' sans-I/O client protocol under an asyncio protocol.

    An arrival is timed when its bytes are handed to the protocol, and nothing more is done
    with it until the measurement ends: no task, future or JSON decoding per message, so 500
    sockets cost the benchmark little CPU beside the server's (with the `websockets` asyncio
    client, one process spent about as much CPU per event as the server). It offers
    permessage-deflate as browsers and `websockets` do: the server decides.
    """

    def __init__(self, uri: str, key: str, wanted: int, joined: asyncio.Future[None]) -> None:
        self.ws = ClientProtocol(
            parse_uri(uri),
            subprotocols=[Subprotocol("graphql-transport-ws")],
            extensions=enable_client_permessage_deflate(None),
        )
        self.key = key
        self.wanted = wanted
        self.joined = joined
        self.arrivals: list[tuple[str, float]] = []  # (the event's occurredAt, when it arrived)
        self.finished = joined.get_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Handshake):
                if self.ws.handshake_exc is not None:
                    self.joined.set_exception(self.ws.handshake_exc)
                    return
                self._send({"type": "connection_init", "payload": {"X-API-Key": self.key}})
            elif event.opcode is Opcode.TEXT:
                self._message(event.data, arrived)
        self._flush()

    def _message(self, text: bytes, arrived: float) -> None:
        message = orjson.loads(text)
        kind = message["type"]
        if kind == "next":
            at = message["payload"]["data"]["customerEventStream"]["occurredAt"]
            self.arrivals.append((at, arrived))
            if len(self.arrivals) == self.wanted:
                self.finished.set_result(None)
        elif kind == "ping":
            self._send({"type": "pong"})
        elif kind == "connection_ack":
            self._send({"type": "subscribe", "id": "1", "payload": {"query": STREAM}})
            self.joined.set_result(None)
        else:
            self._fail(RuntimeError(f"unexpected {kind} message"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("closed by the server"))

    def _fail(self, error: BaseException) -> None:
        for waiter in (self.joined, self.finished):
            if not waiter.done():
                waiter.set_exception(error)

    def _send(self, message: dict[str, object]) -> None:
        self.ws.send_text(orjson.dumps(message))

    def _flush(self) -> None:
        assert self.transport is not None
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)

    def samples(self) -> list[tuple[str, float]]:
        """(the event's occurredAt, its delay to this subscriber) for each arrival."""
        return [
            (at, arrived - datetime.fromisoformat(at).timestamp()) for at, arrived in self.arrivals
        ]


async def _subscribers(url: str, key: str, sockets: int, events: int, conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    address = urlsplit(url)
    uri = f"ws://{address.hostname}:{address.port}/graphql"
    subscribers = []
    for _ in range(sockets):
        joined: asyncio.Future[None] = loop.create_future()
        _, subscriber = await loop.create_connection(
            lambda joined=joined: _Subscriber(uri, key, events, joined),
            address.hostname,
            address.port,
        )
        subscribers.append(subscriber)
    await asyncio.wait_for(asyncio.gather(*(s.joined for s in subscribers)), 60)
    conn.send("ready")
    await loop.run_in_executor(None, conn.recv)  # "go": the writes start
    cpu = time.process_time()
    await asyncio.wait_for(asyncio.gather(*(s.finished for s in subscribers)), 120)
    cpu = time.process_time() - cpu
    conn.send(([sample for s in subscribers for sample in s.samples()], cpu))


def _subscriber_process(url: str, key: str, sockets: int, events: int, conn: Connection) -> None:
    """A process holding `sockets` subscribers: says "ready" once all are subscribed, waits for
    "go", then sends (samples, its CPU seconds from "go" to its last arrival)."""
    asyncio.run(_subscribers(url, key, sockets, events, conn))


async def _record(client: httpx.AsyncClient, url: str, key: str, customer: str, n: int) -> None:
    variables = {"input": {"customerId": customer, "name": "bench_metric", "value": float(n)}}
    response = await client.post(
        f"{url}/graphql",
        json={"query": RECORD, "variables": variables},
        headers={"X-API-Key": key},
    )
    response.raise_for_status()


async def _writes(url: str, key: str, customers: list[str], events: int) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        for n in range(events):
            await _record(client, url, key, customers[n % len(customers)], n)
            await asyncio.sleep(0.05)


@dataclass
class Latency:
    samples: list[tuple[str, float]]  # (the event's occurredAt, its delay to one subscriber)
    server_cpu: float  # seconds, from the first write to the last arrival
    client_cpu: float  # the subscriber processes', each from the first write to its last arrival

    def delays(self) -> list[float]:
        return [delay for _, delay in self.samples]

    def first_arrivals(self) -> list[float]:
        first: dict[str, float] = {}
        for at, delay in self.samples:
            first[at] = min(delay, first.get(at, delay))
        return list(first.values())


def latency(
    url: str,
    key: str,
    customers: list[str],
    subscriptions: int,
    events: int,
    pid: int,
    processes: int,
) -> Latency:
    """Arrival delays, and CPU from the first write to the last arrival (the writes
    themselves included, the connects and subscribes not). The subscribers are spread over
    `processes` processes, so no one process reads all 500 sockets in turn."""
    spawn = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for share in range(processes):
        sockets = subscriptions // processes + (share < subscriptions % processes)
        parent, child = spawn.Pipe()
        worker = spawn.Process(
            target=_subscriber_process, args=(url, key, sockets, events, child), daemon=True
        )
        worker.start()
        pipes.append(parent)
        workers.append(worker)
    try:
        for pipe in pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("a subscriber process did not get ready")
        time.sleep(1.0)  # every subscribe is registered server-side
        server_before = cpu_seconds(pid)
        for pipe in pipes:
            pipe.send("go")
        asyncio.run(_writes(url, key, customers, events))
        results = []
        for pipe in pipes:
            if not pipe.poll(180):
                raise RuntimeError("a subscriber process did not receive every event")
            results.append(pipe.recv())
        server_cpu = cpu_seconds(pid) - server_before
    finally:
        for worker in workers:
            worker.join(10)
    samples = [sample for found, _ in results for sample in found]
    return Latency(samples, server_cpu, sum(cpu for _, cpu in results))


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
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--events-redis-url", help="C360_EVENTS_REDIS_URL: how the other workers hear of a commit"
    )
    args = parser.parse_args()
    database_url = seeded_database(args.backend, args.customers)
    key = admin_key(database_url, "bench-live-updates")
    customers = [_global(c) for c in sample_ids(database_url, 200)]
    env = {"C360_EVENTS_POLL_SECONDS": "1"}
    if args.events_redis_url:
        env["C360_EVENTS_REDIS_URL"] = args.events_redis_url
    with gateway(database_url, workers=args.workers, extra_env=env) as running:
        measured = latency(
            running.url,
            key,
            customers,
            args.subscriptions,
            args.events,
            running.pid,
            args.client_processes,
        )
        if args.deliveries:
            written, elapsed = asyncio.run(throughput(running.url, key, customers, args.deliveries))
    delays, firsts = measured.delays(), measured.first_arrivals()
    workers = f"{args.workers} `c360 serve` worker" + ("s" if args.workers > 1 else "")
    table = Table(title=f"live updates ({args.backend}, {workers})")
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
        f"benchmark subscribers' CPU per event ({args.client_processes} processes)",
        f"{measured.client_cpu / args.events * 1000:.1f} ms",
    )
    if args.deliveries:
        table.add_row("webhook deliveries", f"{args.deliveries}")
        table.add_row("writes/s (recordMetric, 8 in flight)", f"{args.deliveries / written:.0f}")
        table.add_row(
            "webhook deliveries/s (first write to last delivery)",
            f"{args.deliveries / elapsed:.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
