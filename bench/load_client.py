"""A closed-loop GraphQL load generator, run in its own process by the benchmarks.

Each of `concurrency` workers sends one request, waits for the answer, and sends the next, for
`duration` seconds after a warm-up. Prints one JSON object: latencies (ms) and counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from typing import Any

import aiohttp
import orjson


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    spec = json.loads(sys.stdin.read())
    payloads: list[dict[str, Any]] = spec["payloads"]
    headers = {
        "accept": "application/graphql-response+json",
        "content-type": "application/json",
        **spec.get("headers", {}),
    }
    # Bodies encoded once: the client should spend its CPU on sending, not on JSON.
    bodies = [orjson.dumps(payload) for payload in payloads]
    latencies: list[float] = []
    overheads: list[float] = []
    errors = 0
    # What the errors were: `extensions.code` and, for a source, which one and its status.
    error_kinds: Counter[str] = Counter()
    sent = 0
    rng = random.Random(7)
    # "sequential": each payload once, in order (a cold cache never sees a customer twice).
    sequential = bool(spec.get("sequential"))
    cursor = iter(range(len(payloads)))
    # aiohttp, not httpx: at 50 connections httpx's pool costs the client several ms of CPU a
    # request (encode/httpx#3215), taken from the cores the gateway is measured on.
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(args.url, connector=connector, timeout=timeout) as client:
        deadline_warm = time.perf_counter() + args.warmup
        deadline = deadline_warm + args.duration

        async def worker() -> None:
            nonlocal errors, sent
            while True:
                if sequential:
                    index = next(cursor, None)
                    if index is None:
                        return
                else:
                    index = rng.randrange(len(payloads))
                started = time.perf_counter()
                if started >= deadline:
                    return
                sent += 1
                async with client.post("/graphql", data=bodies[index], headers=headers) as reply:
                    content = await reply.read()
                    status = reply.status
                elapsed = time.perf_counter() - started
                if started < deadline_warm:
                    continue
                body = orjson.loads(content)
                if status != 200 or body.get("errors"):
                    errors += 1
                    for error in body.get("errors") or [{"extensions": {"code": str(status)}}]:
                        ext = error.get("extensions") or {}
                        kind = [ext.get("code"), ext.get("source"), ext.get("status")]
                        error_kinds[":".join(str(k) for k in kind if k)] += 1
                latencies.append(elapsed * 1000)
                slowest = _slowest_source_ms(body)
                if slowest is not None:
                    overheads.append(elapsed * 1000 - slowest)

        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        wall = time.perf_counter() - max(began + args.warmup, began)
        cpu = time.process_time() - cpu
    return {
        "requests": len(latencies),
        # Every request sent, warm-up included, and this process's CPU per request sent.
        "sent": sent,
        "client_cpu_ms": cpu / max(sent, 1) * 1000,
        "errors": errors,
        "error_kinds": dict(error_kinds),
        "rps": len(latencies) / max(wall, 1e-9),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "overhead_p50": percentile(overheads, 50),
        "overhead_p99": percentile(overheads, 99),
    }


def _slowest_source_ms(body: dict[str, Any]) -> float | None:
    """The latency of the slowest source that answered, from `customer.sources`, if asked."""
    customer = (body.get("data") or {}).get("customer") or {}
    latencies = [
        source["latencyMs"]
        for source in customer.get("sources") or []
        if source.get("latencyMs") is not None
    ]
    return max(latencies) if latencies else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
