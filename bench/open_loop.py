"""An open-loop GraphQL load generator: requests leave at a fixed rate, however slow the answers.

    python -m bench.open_loop --url URL --rate R --duration S < spec.json

Unlike bench.load_client (closed loop: a client waits for its answer before the next
request), the offered load does not drop when the server slows down, which is what overload
looks like from outside. A share of the requests are writes (`recordInteraction`) whose
summary carries a unique marker, so that the caller can compare what each side believes with
the store. Prints one JSON object: answers by status and code, latencies (ms) of admitted and
refused requests, and the markers of the writes by outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from typing import Any

import aiohttp
import orjson

from bench.load_client import percentile

RECORD_INTERACTION = """
mutation Record($input: RecordInteractionInput!) { recordInteraction(input: $input) { summary } }
"""


def write_input(
    spec: dict[str, Any], marker: str, rng: random.Random | None = None
) -> dict[str, Any]:
    """A `recordInteraction` input for one of the spec's customers, carrying `marker`."""
    return {
        "customerId": (rng or random).choice(spec["write_customers"]),
        "channel": "web",
        "kind": "note",
        "summary": marker,
    }


def _outcome(status: int, body: dict[str, Any]) -> str:
    """What a write's answer says happened to it."""
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    if status == 200 and (body.get("data") or {}).get("recordInteraction"):
        return "committed"
    if "TIMEOUT_AFTER_COMMIT" in codes:
        return "committed"
    if status in (503, 504):
        return "refused"  # OVERLOADED or TIMEOUT: nothing was changed, send it again later
    return "failed"


async def run(args: argparse.Namespace) -> dict[str, Any]:
    spec = json.loads(sys.stdin.read())
    headers = {
        "accept": "application/graphql-response+json",
        "content-type": "application/json",
        **spec.get("headers", {}),
    }
    reads = [orjson.dumps(payload) for payload in spec["reads"]]
    write_share = float(spec.get("write_share", 0.0)) if spec.get("write_customers") else 0.0
    prefix = spec.get("marker_prefix", "open-loop")
    rng = random.Random(11)
    statuses: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    admitted: list[float] = []
    admitted_writes: list[float] = []
    refused: list[float] = []
    writes: dict[str, list[str]] = {"committed": [], "refused": [], "failed": [], "unknown": []}
    transport_errors = 0
    with_errors = 0
    late = 0

    connector = aiohttp.TCPConnector(limit=args.connections)
    timeout = aiohttp.ClientTimeout(total=args.client_timeout)
    async with aiohttp.ClientSession(args.url, connector=connector, timeout=timeout) as client:

        async def send(body: bytes, marker: str | None) -> None:
            nonlocal transport_errors, with_errors
            started = time.perf_counter()
            try:
                async with client.post("/graphql", data=body, headers=headers) as reply:
                    content = await reply.read()
                    status = reply.status
            except (aiohttp.ClientError, TimeoutError):
                transport_errors += 1
                if marker is not None:
                    writes["unknown"].append(marker)
                return
            elapsed = (time.perf_counter() - started) * 1000
            statuses[str(status)] += 1
            try:
                answer = orjson.loads(content)
            except orjson.JSONDecodeError:
                answer = {}
            for error in answer.get("errors") or []:
                codes[str(error.get("extensions", {}).get("code"))] += 1
            with_errors += bool(answer.get("errors"))
            (refused if status == 503 else admitted).append(elapsed)
            if marker is not None and status != 503:
                admitted_writes.append(elapsed)
            if marker is not None:
                writes[_outcome(status, answer)].append(marker)

        tasks: list[asyncio.Task[None]] = []
        total = int(args.rate * args.duration)
        began = time.perf_counter()
        for index in range(total):
            due = began + index / args.rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.05:
                late += 1
            if rng.random() < write_share:
                marker = f"{prefix}-{index}"
                variables = {"input": write_input(spec, marker, rng)}
                body = orjson.dumps({"query": RECORD_INTERACTION, "variables": variables})
                tasks.append(asyncio.create_task(send(body, marker)))
            else:
                tasks.append(asyncio.create_task(send(rng.choice(reads), None)))
        sending = time.perf_counter() - began
        await asyncio.gather(*tasks)
    return {
        "offered_rps": args.rate,
        "sent": total,
        "sent_rps": total / max(sending, 1e-9),
        "late": late,
        "statuses": dict(statuses),
        "codes": dict(codes),
        "transport_errors": transport_errors,
        "answers_with_errors": with_errors,
        "admitted": len(admitted),
        "admitted_p50": percentile(admitted, 50),
        "admitted_p95": percentile(admitted, 95),
        "admitted_p99": percentile(admitted, 99),
        "admitted_write_p50": percentile(admitted_writes, 50),
        "admitted_write_p99": percentile(admitted_writes, 99),
        "refused_p50": percentile(refused, 50),
        "refused_p99": percentile(refused, 99),
        "writes": writes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--client-timeout", type=float, default=30.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()


def run_open_loop(
    url: str, spec: dict[str, Any], *, rate: float, duration: float
) -> dict[str, Any]:
    """Run this generator in its own process (its CPU is not the gateway's); its result."""
    import subprocess

    from bench.server import ROOT

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.open_loop",
            "--url",
            url,
            "--rate",
            str(rate),
            "--duration",
            str(duration),
        ],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def stored_markers(database_url: str, prefix: str) -> set[str]:
    """The write markers starting with `prefix` that the store holds (interaction summaries)."""
    from sqlalchemy import select

    from app.store.db import Database, run_with_database
    from app.store.models import Interaction

    async def fetch(db: Database) -> set[str]:
        async with db.session() as session:
            rows = await session.scalars(
                select(Interaction.summary).where(Interaction.summary.startswith(f"{prefix}-"))
            )
            return set(rows)

    return run_with_database(database_url, fetch)
