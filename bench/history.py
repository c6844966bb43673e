"""Issue 12 benchmark: what the change log costs writes, and what history reads cost.

    .venv/bin/python -m bench.history [--customers 100000] [--backend sqlite|postgres]

Builds (once, reused from bench/out/) a store of `--customers` customers, each with an email,
a phone and an address and a history of ten entries (bulk inserts), then, in one process
against the real app (ASGI, lifespan run), measures CPU time (`time.process_time`: client,
server and, on SQLite, the database; on PostgreSQL the server's own CPU is not counted):

- `updateCustomer` and an import batch (`Ingestor.ingest`, half new people, half known ones
  who moved and changed email), with the change log written ("after") and with its insert
  switched off ("before"), in alternating rounds; the table gives the median per operation.
- for one customer with 200 changes: the current record read (profile, contact points,
  identities, consents, preferences) against `history(first: 50)` and `asOf(at:)` of the
  same record, alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert

import app.customers.change_log as change_log
from app.identity.ingest import IncomingRecord, Ingestor
from app.identity.record import PersonRecord
from app.logs import configure_logging
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import ContactPoint, Customer, CustomerChange
from bench.server import OUT
from composition.asgi import create_app

CHUNK = 5_000
ROUNDS = 5
console = Console()

UPDATE = """
mutation U($input: UpdateCustomerInput!) { updateCustomer(input: $input) { id version } }
"""
ADD = """
mutation A($input: AddContactPointInput!) {
  addContactPoint(input: $input) { emails { id address } }
}
"""
REMOVE = "mutation R($id: ID!) { removeContactPoint(id: $id) { id } }"
CURRENT = """
query C($id: ID!) { customer(id: $id) {
  givenName middleName familyName birthDate loyaltyId locale lifecycleStage segment
  emails { address } phones { number } addresses { formatted }
  identities { system externalId } consents { purpose channel state } preferences { topics }
} }
"""
HISTORY = """
query H($id: ID!) { customer(id: $id) { history(first: 50) {
  edges { node { field action oldValue newValue source rule principal changedAt } }
  pageInfo { hasNextPage endCursor }
} } }
"""
AS_OF = """
query O($id: ID!, $at: DateTime!) { customer(id: $id) { asOf(at: $at) {
  givenName middleName familyName birthDate loyaltyId locale lifecycleStage segment
  emails { address } phones { number } addresses { formatted }
  identities { system externalId } consents { purpose channel state } preferences { topics }
} } }
"""


def _store_url(backend: str, customers: int) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{OUT / f'history-{customers}.db'}"
    base = os.environ.get(
        "C360_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    return base.rsplit("/", 1)[0] + f"/c360_history_{customers}"


def _rows(start: int, count: int, now: datetime) -> Iterator[tuple[list[Any], ...]]:
    customers, points, changes = [], [], []
    for i in range(start, start + count):
        cid = str(uuid.UUID(int=i + 1))
        born = now - timedelta(days=30 + i % 2000)
        customers.append(
            {
                "id": cid,
                "given_name": f"Given{i % 997}",
                "family_name": f"Family{i}",
                "lifecycle_stage": "active",
                "profile_type": "person",
                "version": 1,
                "created_at": born,
                "updated_at": born,
            }
        )
        for kind, value, extra in (
            ("email", f"p{i}@bench.example", {}),
            ("phone", f"+4479{i:08d}", {}),
            (
                "address",
                f"{i} Bench Road, LS1 {i % 9}AB, Leeds, GB",
                {
                    "street": f"{i} Bench Road",
                    "city": "Leeds",
                    "postcode": f"LS1 {i % 9}AB",
                    "country": "GB",
                },
            ),
        ):
            point = {
                "customer_id": cid,
                "kind": kind,
                "value": value,
                "is_primary": True,
                "source": "bench",
                "created_at": born,
                "label": None,
                "street": None,
                "city": None,
                "postcode": None,
                "country": None,
                **extra,
            }
            points.append(point)
            changes.append(_change(cid, kind, "added", {"value": value}, born))
        for name in ("given_name", "family_name", "lifecycle_stage", "profile_type"):
            changes.append(_change(cid, name, "set", customers[-1][name], born))
        changes += [
            _change(cid, "email", "removed", {"value": f"old{i}@bench.example"}, born),
            _change(cid, "address", "removed", {"value": "1 Former Street"}, born),
            _change(cid, "segment", "set", "loyal", born),
        ]
    yield customers, points, changes


def _change(cid: str, field: str, action: str, value: Any, at: datetime) -> dict[str, Any]:
    removed = action == "removed"
    return {
        "customer_id": cid,
        "field": field,
        "action": action,
        "item": f"{field}:{value['value']}" if isinstance(value, dict) else None,
        "old_value": value if removed else None,
        "new_value": None if removed else value,
        "source": "bench",
        "rule": None,
        "principal": "bench",
        "request_id": None,
        "changed_at": at,
        "recorded_at": at,
    }


def build_store(backend: str, customers: int) -> str:
    """The benchmark store (built once: bulk inserts, then reused)."""
    url = _store_url(backend, customers)
    marker = OUT / f"history-{customers}.{backend}.ready"
    if marker.exists():
        upgrade(url)
        return url
    if backend == "postgres":
        admin = url.rsplit("/", 1)[0].replace("+asyncpg", "") + "/postgres"
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True
        )
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    else:
        (OUT / f"history-{customers}.db").unlink(missing_ok=True)
    upgrade(url)
    now = datetime.now(UTC)

    async def fill() -> None:
        db = Database(url, pool_size=1)
        try:
            for start in range(0, customers, CHUNK):
                for batch_customers, points, changes in _rows(
                    start, min(CHUNK, customers - start), now
                ):
                    async with db.transaction() as session:
                        await session.execute(insert(Customer.__table__), batch_customers)
                        await session.execute(insert(ContactPoint.__table__), points)
                        await session.execute(insert(CustomerChange.__table__), changes)
                console.print(f"  {min(start + CHUNK, customers):,} customers", end="\r")
        finally:
            await db.dispose()

    asyncio.run(fill())
    marker.touch()
    return url


@contextmanager
def history_written(on: bool) -> Iterator[None]:
    """The change log's insert on (after) or off (before); entries are still built."""
    real = change_log.change_rows
    if not on:
        change_log.change_rows = lambda _changes: []  # type: ignore[assignment]
    try:
        yield
    finally:
        change_log.change_rows = real  # type: ignore[assignment]


async def _cpu_per_op(op: Callable[[], Awaitable[Any]], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await op()
    return (time.process_time() - started) / count * 1000


async def _post(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


def _incoming(round_: int, size: int) -> list[IncomingRecord]:
    """Half new people, half the previous round's new people again, moved with a new email."""
    records = []
    for n in range(size):
        fresh = n % 2 == 0
        key = f"{round_}-{n}" if fresh else f"{round_ - 1}-{n - 1}"
        person = PersonRecord.from_fields(
            key,
            {
                "given_name": f"Import{n % 311}",
                "family_name": f"Person{key.replace('-', 'x')}",
                "email": f"i{key}@{'import' if fresh else 'moved'}.example",
                "street": f"{n} {'Import' if fresh else 'Moved'} Street",
                "city": "York" if fresh else "Hull",
                "postcode": "YO1 7HH" if fresh else "HU1 1AA",
                "country": "GB",
            },
            source="benchimport",
        )
        records.append(IncomingRecord(system="benchimport", external_id=key, person=person))
    return records


async def measure(url: str, ops: int) -> list[tuple[str, float, float, str]]:
    settings = Settings(database_url=url, log_json=True, log_level="WARNING")
    configure_logging("WARNING", json=True)
    application = create_app(settings)
    results: list[tuple[str, float, float, str]] = []
    async with LifespanManager(application) as manager:
        authenticator = application.state.authenticator
        created = await authenticator.api_keys.create(
            name="bench-history", role=Role.ADMIN, purpose=Purpose.ADMINISTRATION
        )
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers={"X-API-Key": created.key}
        ) as client:
            from strawberry import relay

            target = str(relay.GlobalID("Customer", str(uuid.UUID(int=7))))
            state: dict[str, int] = {}
            body = await _post(
                client, "query V($id: ID!) { customer(id: $id) { version } }", {"id": target}
            )
            state["version"] = body["customer"]["version"]
            names = iter(range(10**9))

            async def update() -> None:
                data = await _post(
                    client,
                    UPDATE,
                    {
                        "input": {
                            "id": target,
                            "version": state["version"],
                            "familyName": f"Bench{next(names)}",
                        }
                    },
                )
                state["version"] = data["updateCustomer"]["version"]

            samples: dict[bool, list[float]] = {True: [], False: []}
            await _cpu_per_op(update, 20)  # warm-up
            for _ in range(ROUNDS):
                for on in (False, True):
                    with history_written(on):
                        samples[on].append(await _cpu_per_op(update, ops))
            before, after = (statistics.median(samples[k]) for k in (False, True))
            results.append(("updateCustomer (CPU ms/op)", before, after, _pct(before, after)))

            db: Database = application.state.db
            ingestor = Ingestor.from_settings(db, settings)
            await ingestor.index_store()
            import_samples: dict[bool, list[float]] = {True: [], False: []}
            round_ = 0
            batch = 500
            await ingestor.ingest(_incoming(round_, batch))
            for _ in range(ROUNDS):
                for on in (False, True):
                    round_ += 1
                    records = _incoming(round_, batch)
                    with history_written(on):
                        started = time.process_time()
                        await ingestor.ingest(records)
                        import_samples[on].append((time.process_time() - started) / batch * 1000)
            before, after = (statistics.median(import_samples[k]) for k in (False, True))
            results.append(
                ("import, 500-record batch (CPU ms/record)", before, after, _pct(before, after))
            )

            # A new customer, then 200 changes: 50 x (two profile fields, an email added
            # and removed).
            made = await _post(
                client,
                "mutation C($input: CreateCustomerInput!) { createCustomer(input: $input) "
                "{ id version } }",
                {"input": {"givenName": "Rich", "familyName": "Changes"}},
            )
            rich, version = made["createCustomer"]["id"], made["createCustomer"]["version"]
            middle = None
            for n in range(50):
                data = await _post(
                    client,
                    UPDATE,
                    {
                        "input": {
                            "id": rich,
                            "version": version,
                            "familyName": f"Rich{n}",
                            "givenName": f"G{n}",
                        }
                    },
                )
                version = data["updateCustomer"]["version"]
                email = f"rich{n}-{uuid.uuid4().hex[:8]}@bench.example"
                added = await _post(
                    client, ADD, {"input": {"customerId": rich, "kind": "EMAIL", "value": email}}
                )
                new = next(e for e in added["addContactPoint"]["emails"] if e["address"] == email)
                await _post(client, REMOVE, {"id": new["id"]})
                if n == 25:
                    middle = datetime.now(UTC)
            assert middle is not None
            reads: dict[str, list[float]] = {"current": [], "history": [], "asof": []}
            queries = {
                "current": (CURRENT, {"id": rich}),
                "history": (HISTORY, {"id": rich}),
                "asof": (AS_OF, {"id": rich, "at": middle.isoformat()}),
            }
            for query, variables in queries.values():
                await _cpu_per_op(lambda q=query, v=variables: _post(client, q, v), 10)
            for _ in range(ROUNDS):
                for name, (query, variables) in queries.items():
                    reads[name].append(
                        await _cpu_per_op(lambda q=query, v=variables: _post(client, q, v), ops)
                    )
            current = statistics.median(reads["current"])
            for name, label in (("history", "history(first: 50)"), ("asof", "asOf(at:) record")):
                value = statistics.median(reads[name])
                results.append(
                    (
                        f"{label} vs current read (CPU ms/query)",
                        current,
                        value,
                        f"{value / current:.2f}x",
                    )
                )
    return results


def _pct(before: float, after: float) -> str:
    return f"{(after - before) / before * 100:+.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--ops", type=int, default=100, help="operations per round")
    args = parser.parse_args()
    started = time.perf_counter()
    url = build_store(args.backend, args.customers)
    console.print(f"store ready in {time.perf_counter() - started:.0f} s")
    results = asyncio.run(measure(url, args.ops))
    table = Table(title=f"history cost, {args.backend}, {args.customers:,} customers")
    for column in ("measure", "before / current", "after / history", "change"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for label, before, after, change in results:
        table.add_row(label, f"{before:.2f}", f"{after:.2f}", change)
    console.print(table)


if __name__ == "__main__":
    main()
