"""Issue 2 benchmark: customer-page and customer-list queries against a real `c360 serve`.

    python -m bench.api_latency [--customers 100000] [--duration 10] [--backends sqlite postgres]
        [--workers 2] [--sources simulators|none]

Prints a table of p50 / p95 / p99 latency and requests per second at 1, 10 and 50 concurrent
clients, for each backend. With `--sources simulators` (the default) the four simulators run as
`c360 sim` processes over the same world, with no added latency, so the customer page's
federated `interactions` come from real source calls and the errors column counts real failures;
`--sources none` leaves the seeded links unconfigured (each answers `SOURCE_UNAVAILABLE`).
"""

from __future__ import annotations

import argparse
import json
from contextlib import ExitStack

from rich.console import Console
from rich.table import Table
from strawberry.relay import to_base64

from bench.server import admin_key, cpu_seconds, gateway, run_load, sample_ids, seeded_database
from bench.support_desk import simulators
from simulators.config import demo_environment

CUSTOMER_PAGE = """
query CustomerPage($id: ID!) {
  customer(id: $id) {
    id givenName familyName birthDate locale lifecycleStage segment loyaltyId version
    emails { address isPrimary verifiedAt }
    phones { number isPrimary }
    addresses { label street city postcode country }
    metrics { name value previousValue trend observedAt }
    consents { purpose channel state granted }
    interactions(first: 20) {
      edges { node { channel kind summary occurredAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
CUSTOMER_LIST = """
query CustomerList {
  customers(first: 50) {
    edges { cursor node { id givenName familyName lifecycleStage segment } }
    pageInfo { hasNextPage }
  }
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, default=1, help="`c360 serve --workers N`")
    parser.add_argument("--sources", choices=("simulators", "none"), default="simulators")
    args = parser.parse_args()
    console = Console(width=170)
    processes = "one worker process" if args.workers == 1 else f"{args.workers} worker processes"
    table = Table(
        title=f"GraphQL API over {args.customers:,} customers ({processes},"
        f" sources: {args.sources})"
    )
    columns = ("backend", "query", "clients", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors")
    for column in (*columns, "gateway CPU ms/req", "sources CPU ms/req", "client CPU ms/req"):
        table.add_column(column, justify="right")
    for backend in args.backends:
        url = seeded_database(backend, args.customers)
        ids = sample_ids(url, 2000)
        headers = {"X-API-Key": admin_key(url)}
        pages = {
            "customer page": [
                {"query": CUSTOMER_PAGE, "variables": {"id": to_base64("Customer", i)}} for i in ids
            ],
            "customers(first: 50)": [{"query": CUSTOMER_LIST}],
        }
        with ExitStack() as stack:
            environ: dict[str, str] = {}
            source_pids: list[int] = []
            if args.sources == "simulators":
                sims = stack.enter_context(simulators(args.customers, latency=False))
                environ = {"C360_CONNECTORS_FILE": str(sims.connectors_file), **demo_environment()}
                source_pids = sims.pids
            served = stack.enter_context(gateway(url, workers=args.workers, extra_env=environ))
            for name, payloads in pages.items():
                spec = json.dumps({"payloads": payloads, "headers": headers})
                for clients in args.concurrency:
                    cpu, source_cpu = cpu_seconds(served.pid), cpu_seconds(*source_pids)
                    result = run_load(served.url, spec, concurrency=clients, duration=args.duration)
                    cpu = cpu_seconds(served.pid) - cpu
                    source_cpu = cpu_seconds(*source_pids) - source_cpu
                    table.add_row(
                        backend,
                        name,
                        str(clients),
                        f"{result['p50']:.1f}",
                        f"{result['p95']:.1f}",
                        f"{result['p99']:.1f}",
                        f"{result['rps']:.0f}",
                        str(result["errors"]),
                        f"{cpu / result['sent'] * 1000:.1f}",
                        f"{source_cpu / result['sent'] * 1000:.1f}",
                        f"{result['client_cpu_ms']:.1f}",
                    )
                    console.log(f"{backend} {name} x{clients}: {result['rps']:.0f} req/s")
    console.print(table)


if __name__ == "__main__":
    main()
