"""CPU time the gateway spends on hostile GraphQL documents, at the default limits.

    python -m bench.hostile_documents [--repeats 15]

Builds the app in this process on an empty, migrated SQLite store and calls it as an ASGI app
(no socket, so the CPU measured is the gateway's own: parsing, limits, validation, execution,
encoding). Every call sends a document never seen before (its operation name changes), so the
parser and validation caches never help, as they would not help against an attacker. Prints,
per document, its tokens, the answer (status and codes), and the median and worst CPU ms per
request over `--repeats` calls; the aim is at most 20 ms for every document, accepted or not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from asgi_lifespan import LifespanManager
from graphql import Lexer, Source, TokenKind, get_introspection_query
from rich.console import Console
from rich.table import Table

from bench.api_latency import CUSTOMER_PAGE
from bench.cpu_profile import call
from bench.server import admin_key

# Each builds the body of an operation (after `query Name`), within the default token limit.
DOCUMENTS: dict[str, Callable[[], str]] = {
    "customer page (baseline)": lambda: (
        CUSTOMER_PAGE.split("(", 1)[1].replace("$id", '"Q3VzdG9tZXI6MQ=="').split(")", 1)[1]
    ),
    "__typename x 700": lambda: "{ " + "__typename " * 700 + "}",
    "__typename x 1,990": lambda: "{ " + "__typename " * 1990 + "}",
    "__typename x 299": lambda: "{ " + "__typename " * 299 + "}",
    "emails { address } x 480": lambda: (
        "{ customers { edges { node { " + "emails { address } " * 480 + "} } } }"
    ),
    "emails { address } x 145": lambda: (
        "{ customers { edges { node { " + "emails { address } " * 145 + "} } } }"
    ),
    "emails { address x 14 } x 14": lambda: (
        "{ customers { edges { node { " + ("emails { " + "address " * 14 + "} ") * 14 + "} } } }"
    ),
    "id through 3 overlapping fragments x 20": lambda: (
        "{ customers { edges { node { ...A ...B ...C } } } }"
        + "".join(
            f" fragment {n} on Customer {{ {' '.join(f'f{n}{i}: id' for i in range(5))} id }}"
            for n in "ABC"
        )
    ),
    "metricHistory(name) { value } x 200": lambda: (
        '{ customer(id: "Q3VzdG9tZXI6MQ==") { '
        + 'metricHistory(name: "nps") { value } ' * 200
        + "} }"
    ),
    "metricHistory(name) { value } x 149": lambda: (
        '{ customer(id: "Q3VzdG9tZXI6MQ==") { '
        + 'metricHistory(name: "nps") { value } ' * 149
        + "} }"
    ),
    "introspection (GraphiQL's)": lambda: get_introspection_query(descriptions=True).split(
        "query IntrospectionQuery", 1
    )[1],
    "@include x 10 on one field": lambda: (
        "{ customers { totalCount " + "@include(if: true) " * 10 + "} }"
    ),
    "@skip on 280 fields (max tokens)": lambda: "{ " + "__typename @skip(if: false) " * 280 + "}",
    "fragment bomb (2^12 spreads)": lambda: (
        "{ ...F0 }\n"
        + "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(12))
        + "fragment F12 on Query { __typename }"
    ),
    "fragments 10 deep": lambda: (
        "{ ...F0 }\n"
        + "".join(f"fragment F{i} on Query {{ __typename ...F{i + 1} }}\n" for i in range(9))
        + "fragment F9 on Query { __typename }"
    ),
    "circular fragments": lambda: (
        "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }"
    ),
    "15 aliases (the limit)": lambda: (
        "{ " + " ".join(f"a{i}: __typename" for i in range(15)) + " }"
    ),
    "299 aliases": lambda: "{ " + " ".join(f"a{i}: __typename" for i in range(299)) + " }",
    "1,990 tokens of distinct fields": lambda: (
        "{ customers { edges { node { "
        + "id givenName familyName displayName birthDate segment " * 330
        + "} } } }"
    ),
    "2,001 tokens": lambda: "{ " + "__typename " * 1999 + "}",
}


def tokens(document: str) -> int:
    """Tokens as graphql-core counts them for its limit (punctuators and names, no comments)."""
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


async def measure(app: object, key: str, body: str, repeats: int) -> tuple[list[float], str]:
    """CPU seconds of each of `repeats` calls (each a new document) and the answer's codes."""
    cpu: list[float] = []
    answer: dict = {}
    for index in range(repeats):
        payload = orjson.dumps({"query": f"query Bench{index}x{time.time_ns()} {body}"})
        started = time.process_time()
        answer = await call(app, payload, key)
        cpu.append(time.process_time() - started)
    codes = sorted({e.get("extensions", {}).get("code", "?") for e in answer.get("errors", [])})
    return cpu, ", ".join(codes) or "ok"


async def run(repeats: int, url: str, key: str) -> Table:
    from app.logs import configure_logging
    from app.settings import Settings
    from composition.asgi import create_app, tune_garbage_collector

    configure_logging("WARNING")
    app = create_app(Settings(database_url=url))
    tune_garbage_collector()  # as `c360 serve` does
    table = Table(title=f"Gateway CPU per hostile document (default limits, {repeats} calls)")
    for column in ("document", "tokens", "answer", "CPU ms median", "CPU ms max"):
        table.add_column(column, justify="left" if column in ("document", "answer") else "right")
    async with LifespanManager(app) as manager:
        await measure(manager.app, key, "{ __typename }", 3)  # warm up imports and the key
        for name, build in DOCUMENTS.items():
            body = build()
            cpu, answer = await measure(manager.app, key, body, repeats)
            table.add_row(
                name,
                f"{tokens('query Bench ' + body):,}",
                answer,
                f"{statistics.median(cpu) * 1000:.1f}",
                f"{max(cpu) * 1000:.1f}",
            )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        os.environ["C360_LOG_LEVEL"] = "WARNING"
        from app.store.migrate import upgrade

        upgrade(url)
        key = admin_key(url)
        Console(width=120).print(asyncio.run(run(repeats, url, key)))


if __name__ == "__main__":
    main()
