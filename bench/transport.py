"""Which HTTP transport and pool settings for the connectors' `SourceClient`, by measurement.

    python -m bench.transport [--requests 2000] [--latency-ms 20]

A small JSON server (uvicorn, its own process) answers after `--latency-ms`; this process sends
`--requests` requests with N of them in flight at once through an httpx.AsyncClient set up
each way below, and prints the client's CPU per request (what the gateway pays per upstream
call) and the throughput. encode/httpx#3215: httpcore scans its whole waiting list on every
state change, so requests queued inside its pool cost more the more there are.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext

import httpx
from httpx_aiohttp import AiohttpTransport
from rich.console import Console
from rich.table import Table

from bench.server import free_port

BODY = b'{"results": [' + b",".join(b'{"id": "%d", "name": "x"}' % i for i in range(60)) + b"]}"


def serve(port: int, latency: float) -> None:
    """The upstream stand-in: every request waits `latency` seconds, then gets ~2 KB of JSON."""
    import uvicorn

    async def app(scope, _receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        await asyncio.sleep(latency)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": BODY})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)


Setup = Callable[[int], tuple[httpx.AsyncBaseTransport, int | None]]
SETUPS: dict[str, Setup] = {
    # (transport, limit on requests in flight in front of it; None: no limit)
    "httpx default pool (100), no limit": lambda _: (httpx.AsyncHTTPTransport(), None),
    "httpx pool 20, limit 20": lambda _: (
        httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=20)),
        20,
    ),
    "httpx pool = in flight": lambda n: (
        httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=n)),
        n,
    ),
    "aiohttp pool 20, limit 20": lambda _: (
        AiohttpTransport(limits=httpx.Limits(max_connections=20)),
        20,
    ),
    "aiohttp pool = in flight": lambda n: (
        AiohttpTransport(limits=httpx.Limits(max_connections=n)),
        n,
    ),
}


async def measure(url: str, setup: Setup, in_flight: int, requests: int) -> tuple[float, float]:
    """(client CPU ms per request, requests per second)."""
    transport, limit = setup(in_flight)
    slots = asyncio.Semaphore(limit) if limit else None
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=60) as client:
        for _ in range(5):
            await client.get("/warm")
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                gate: AbstractAsyncContextManager[object] = slots or nullcontext()
                async with gate:
                    response = await client.get("/objects", params={"limit": 60})
                    response.raise_for_status()
                    response.json()

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / requests * 1000, requests / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.latency_ms / 1000)
        return
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.transport",
            "--serve",
            str(port),
            "--latency-ms",
            str(args.latency_ms),
        ],
        env=os.environ,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        table = Table(
            title=f"Upstream calls, {args.latency_ms:.0f} ms upstream, {args.requests} requests"
        )
        for column in ("setup", "in flight", "client CPU ms/request", "req/s"):
            table.add_column(column, justify="right")
        for in_flight in args.in_flight:
            for name, setup in SETUPS.items():
                cpu, rps = asyncio.run(measure(url, setup, in_flight, args.requests))
                table.add_row(name, str(in_flight), f"{cpu:.2f}", f"{rps:.0f}")
        Console().print(table)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
