"""Overload: at 2x and 10x the sustainable load, admitted requests stay fast and no write is lost.

    python -m bench.overload [--customers 5000] [--backend sqlite] [--rate R] [--loads 1 2 10]

Starts `c360 serve` (one worker, default admission settings) on a seeded store, measures the
sustainable rate (closed loop, 10 clients, unless `--rate` is given), then offers each multiple
of it open-loop (bench.open_loop) for `--duration` seconds: reads of one customer's profile,
contact points, metrics and consents, and a share of `recordInteraction` writes each carrying a
unique marker. Afterwards the store is asked which markers it holds: a write the client was
told was committed must be there, a refused one must not, and none may be unaccounted for.
RELIABILITY.md item 25: admitted p99 <= 1 s, the excess refused fast (503 OVERLOADED), no other
5xx, the process alive.
"""

from __future__ import annotations

import argparse
import json
import socket
import time
import uuid
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table
from strawberry.relay import to_base64

from bench.open_loop import RECORD_INTERACTION, run_open_loop, stored_markers, write_input
from bench.server import (
    admin_key,
    cpu_seconds,
    gateway,
    run_load,
    sample_ids,
    seeded_database,
)

PROFILE = """
query Profile($id: ID!) {
  customer(id: $id) {
    id givenName familyName birthDate locale lifecycleStage segment loyaltyId version
    emails { address isPrimary verifiedAt }
    phones { number isPrimary }
    addresses { label street city postcode country }
    metrics { name value previousValue trend observedAt }
    consents { purpose channel state granted }
  }
}
"""


def workload(database_url: str, write_share: float) -> dict[str, Any]:
    """The load spec: profile reads of random customers, and who the writes go to."""
    ids = [to_base64("Customer", i) for i in sample_ids(database_url, 1000)]
    return {
        "headers": {"X-API-Key": admin_key(database_url)},
        "reads": [{"query": PROFILE, "variables": {"id": i}} for i in ids],
        "write_customers": ids[:200],
        "write_share": write_share,
    }


def sustainable_rate(url: str, spec: dict[str, Any], seconds: float) -> float:
    """Requests per second the gateway completes with 10 clients waiting for their answers.

    The same mix as the open-loop runs: reads and a `write_share` of writes (their markers,
    `sustain-N`, are not checked).
    """
    writes = round(len(spec["reads"]) * spec["write_share"] / (1 - spec["write_share"]))
    payloads = spec["reads"] + [
        {"query": RECORD_INTERACTION, "variables": {"input": write_input(spec, f"sustain-{n}")}}
        for n in range(writes)
    ]
    result = run_load(
        url, json.dumps({**spec, "payloads": payloads}), concurrency=10, duration=seconds
    )
    return float(result["rps"])


def refusal_cpu_ms(database_url: str, spec: dict[str, Any], seconds: float = 5.0) -> float:
    """Gateway CPU per refused request: the only slot is held by a request whose body never
    comes, and 10 clients send `{ __typename }` (each refused with 503) as fast as they can."""
    limits = {
        "C360_MAX_IN_FLIGHT": "1",
        "C360_ADMISSION_QUEUE_SIZE": "0",
        "C360_REQUEST_TIMEOUT_SECONDS": str(seconds * 10),
    }
    with gateway(database_url, extra_env=limits) as served:
        host, port = served.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as holder:
            key = spec["headers"]["X-API-Key"]
            holder.sendall(
                b"POST /graphql HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
                + f"x-api-key: {key}\r\ncontent-length: 100\r\n\r\n{{".encode()
            )
            time.sleep(0.5)
            payloads = json.dumps({**spec, "payloads": [{"query": "{ __typename }"}]})
            cpu = cpu_seconds(served.pid)
            result = run_load(served.url, payloads, concurrency=10, duration=seconds)
            cpu = cpu_seconds(served.pid) - cpu
    return cpu / result["sent"] * 1000


def alive(pid: int, url: str) -> bool:
    """The server process runs and answers its liveness probe."""
    try:
        running = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        return running and httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except (psutil.NoSuchProcess, httpx.TransportError):
        return False


def write_accounting(result: dict[str, Any], stored: set[str]) -> dict[str, int]:
    """Both sides of the writes: what the client was told against what the store holds."""
    writes = {outcome: set(markers) for outcome, markers in result["writes"].items()}
    return {
        "sent": sum(len(markers) for markers in writes.values()),
        "committed": len(writes["committed"]),
        "refused": len(writes["refused"]),
        "failed": len(writes["failed"]),
        "unknown": len(writes["unknown"]),
        "stored": len(stored),
        # told committed, not in the store
        "lost": len(writes["committed"] - stored),
        # told refused or failed, yet stored (the client would send it again: a duplicate)
        "stored_anyway": len((writes["refused"] | writes["failed"]) & stored),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, help="the sustainable rate (default: measured)")
    parser.add_argument("--loads", type=float, nargs="+", default=[1.0, 2.0, 10.0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load")
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    console = Console(width=200)
    database_url = seeded_database(args.backend, args.customers)
    spec = workload(database_url, args.write_share)
    run_id = uuid.uuid4().hex[:8]
    rows = []
    with gateway(database_url, workers=args.workers) as served:
        rate = args.rate or sustainable_rate(served.url, spec, 10.0)
        console.log(f"sustainable rate: {rate:.0f} req/s")
        for load in args.loads:
            prefix = f"overload-{run_id}-{load:g}x"
            result = run_open_loop(
                served.url,
                {**spec, "marker_prefix": prefix},
                rate=rate * load,
                duration=args.duration,
            )
            time.sleep(1)  # answers in flight when the client stopped are in by now
            writes = write_accounting(result, stored_markers(database_url, prefix))
            rows.append((load, result, writes, alive(served.pid, served.url)))
            console.log(f"{load:g}x: {json.dumps(result['statuses'])} {json.dumps(writes)}")
    table = Table(
        title=f"Overload: {args.backend}, {args.customers:,} customers, {args.workers} worker(s), "
        f"sustainable {rate:.0f} req/s, {args.duration:.0f} s per load, "
        f"{args.write_share:.0%} writes"
    )
    columns = (
        "load",
        "offered req/s",
        "sent",
        "200",
        "503",
        "504",
        "other 5xx",
        "no answer",
        "admitted p50 ms",
        "admitted p99 ms",
        "writes p99 ms",
        "refused p99 ms",
        "writes sent",
        "committed",
        "refused",
        "in store",
        "lost",
        "stored anyway",
        "alive",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for load, result, writes, up in rows:
        statuses = result["statuses"]
        other_5xx = sum(
            n for s, n in statuses.items() if s.startswith("5") and s not in ("503", "504")
        )
        table.add_row(
            f"{load:g}x",
            f"{result['offered_rps']:.0f}",
            str(result["sent"]),
            str(statuses.get("200", 0)),
            str(statuses.get("503", 0)),
            str(statuses.get("504", 0)),
            str(other_5xx),
            str(result["transport_errors"]),
            f"{result['admitted_p50']:.0f}",
            f"{result['admitted_p99']:.0f}",
            f"{result['admitted_write_p99']:.0f}",
            f"{result['refused_p99']:.1f}",
            str(writes["sent"]),
            str(writes["committed"]),
            str(writes["refused"]),
            str(writes["stored"]),
            str(writes["lost"]),
            str(writes["stored_anyway"]),
            "yes" if up else "NO",
        )
    console.print(table)
    refusal = refusal_cpu_ms(database_url, spec)
    console.print(f"Gateway CPU per refused request (503 OVERLOADED): {refusal:.3f} ms")


if __name__ == "__main__":
    main()
