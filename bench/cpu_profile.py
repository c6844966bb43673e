"""The gateway's CPU time per request, in-process, with an optional profile.

    python -m bench.cpu_profile [--scenario support-warm] [--requests 300] [--concurrency 10]
                                [--backend sqlite] [--profile out.txt] [--json]

Builds the app in this process and calls it as an ASGI app directly (no HTTP client, no socket,
so the CPU measured is the gateway's own), with the three simulators as `c360 sim` processes at
no added latency. Scenarios: `trivial` (`{ __typename }` with an API key: authentication,
middleware and Strawberry, the yardstick for the others), `support-warm` (the support-desk
query, 50 customers, sources cached), `support-cold` (each customer once: every source is
called), `page` (customers(first: 50) with names, the issue-2 list), `customer` (the issue-2
customer page, no connectors).
Prints CPU ms and wall ms per request; `--profile` writes a pyinstrument text profile. Run
under `valgrind --tool=callgrind --instr-atstart=no` (as `bench.request_cost` does), it switches
callgrind's instrumentation on for the measured requests only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from asgi_lifespan import LifespanManager
from strawberry.relay import to_base64

from bench.api_latency import CUSTOMER_LIST, CUSTOMER_PAGE
from bench.server import admin_key, sample_ids, seeded_database
from bench.support_desk import SUPPORT_DESK, simulators

SCENARIOS = ("trivial", "support-warm", "support-cold", "page", "customer")
TRIVIAL = "{ __typename }"
# Set by bench.request_cost when it runs this module under callgrind.
CALLGRIND_ENV = "C360_BENCH_UNDER_CALLGRIND"


async def call(app: Any, body: bytes, key: str) -> dict[str, Any]:
    """POST `body` to /graphql through the ASGI interface; the decoded JSON answer."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"accept", b"application/graphql-response+json"),
            (b"x-api-key", key.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return orjson.loads(b"".join(chunks))


def payloads(scenario: str, ids: list[str]) -> list[bytes]:
    if scenario == "trivial":
        return [orjson.dumps({"query": TRIVIAL})]
    if scenario.startswith("support"):
        chosen = ids[:50] if scenario == "support-warm" else ids
        return [
            orjson.dumps({"query": SUPPORT_DESK, "variables": {"id": to_base64("Customer", i)}})
            for i in chosen
        ]
    if scenario == "page":
        return [orjson.dumps({"query": CUSTOMER_LIST})]
    return [
        orjson.dumps({"query": CUSTOMER_PAGE, "variables": {"id": to_base64("Customer", i)}})
        for i in ids
    ]


async def measure(
    app: Any, bodies: list[bytes], key: str, *, requests: int, concurrency: int, sequential: bool
) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, errors) for `requests` requests, `concurrency` at a time."""
    rng = random.Random(7)
    order = iter(range(len(bodies)))
    done = 0
    errors = 0

    async def worker() -> None:
        nonlocal done, errors
        while done < requests:
            done += 1
            index = next(order, None) if sequential else rng.randrange(len(bodies))
            if index is None:
                return
            answer = await call(app, bodies[index], key)
            errors += bool(answer.get("errors"))

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.process_time() - cpu, time.perf_counter() - wall, errors


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Under callgrind, count instructions only inside this block (the measured requests)."""
    if not os.environ.get(CALLGRIND_ENV):
        yield
        return
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


@contextlib.contextmanager
def profiled(path: str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    if path.endswith(".pstats"):  # cProfile: exact call counts, for `python -m pstats`
        import cProfile

        with cProfile.Profile() as profile:
            yield
        profile.dump_stats(path)
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled", interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        Path(path).write_text(profiler.output_text(unicode=True, show_all=False), "utf-8")


async def run(args: argparse.Namespace, url: str, key: str, ids: list[str]) -> None:
    from app.logs import configure_logging
    from app.settings import Settings
    from composition.asgi import create_app, tune_garbage_collector

    configure_logging("WARNING")
    app = create_app(Settings(database_url=url))
    tune_garbage_collector()  # as `c360 serve` does
    bodies = payloads(args.scenario, ids)
    async with LifespanManager(app) as manager:
        warm = bodies if args.scenario == "support-warm" else bodies[:5]
        for body in warm:  # fill caches (sources, keys, parser/validation) before measuring
            await call(manager.app, body, key)
        sequential = args.scenario == "support-cold"
        with profiled(args.profile), instrumented():
            cpu, wall, errors = await measure(
                manager.app,
                bodies[5:] if sequential else bodies,
                key,
                requests=args.requests,
                concurrency=args.concurrency,
                sequential=sequential,
            )
    n = args.requests
    if args.json:
        print(
            orjson.dumps(
                {"cpu_ms": cpu / n * 1000, "wall_ms": wall / n * 1000, "errors": errors}
            ).decode()
        )
        return
    print(
        f"{args.scenario}: {n} requests x{args.concurrency}: "
        f"CPU {cpu / n * 1000:.2f} ms/request, wall {wall / n * 1000:.2f} ms/request, "
        f"{n / wall:.0f} req/s, errors {errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=SCENARIOS, default="support-warm")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--profile", help="write a profile here: pyinstrument text, or cProfile if it ends .pstats"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    url = seeded_database(args.backend, args.customers)
    key = admin_key(url)
    ids = sample_ids(url, args.customers)
    os.environ["C360_LOG_LEVEL"] = "WARNING"
    if args.scenario.startswith("support"):
        with simulators(args.customers, latency=False) as sims:
            os.environ["C360_CONNECTORS_FILE"] = str(sims.connectors_file)
            os.environ.update(_demo_environment())
            asyncio.run(run(args, url, key, ids))
    else:
        asyncio.run(run(args, url, key, ids))


def _demo_environment() -> dict[str, str]:
    from simulators.config import demo_environment

    return demo_environment()


if __name__ == "__main__":
    main()
