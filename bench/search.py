"""Issue 5 benchmark: `searchCustomers` latency and hit rate over a large SQLite store.

    python -m bench.search [--customers 1000000] [--queries 300] [--http-queries 200]

Builds (once, reused from bench/out/) a store of generated people (bench/matching/generate.py:
Faker names, towns, postcodes, emails, phones, loyalty ids in five countries, households), with
bulk inserts and the search keys derived by the service's own `customer_keys`. Then, per query
mix (name + town, the phone in another format, a misspelt email, a loyalty id as typed, a
postcode + family name), it times `search_customers` (the service function, in process) and
`searchCustomers` over HTTP against a `c360 serve` process (one client, sequential), and
reports p50/p95/p99 and the hit rate: the searched person among the top 5 results.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, insert, text

from app.search.keys import SearchableCustomer, customer_keys
from app.search.service import search_customers
from app.store.db import Database
from app.store.migrate import upgrade
from app.store.models import ContactPoint, Customer, SearchKey
from bench.matching.generate import Person, _typo, people
from bench.server import OUT, admin_key, cpu_seconds, gateway

SEARCH = """
query Search($query: String!) {
  searchCustomers(query: $query, limit: 10) { score customer { id } }
}
"""
MIXES = ("name + town", "phone, other format", "misspelt email", "loyalty id", "postcode + name")
CHUNK = 20_000
COLUMNS = (
    "query mix",
    "queries",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "cpu p50",
    "cpu p99",
    "cpu mean",
    "hit@5",
)
console = Console()


def customer_id(entity: int) -> str:
    # Ids in insertion order keep the primary-key B-trees appending, which loads much faster.
    return str(uuid.UUID(int=entity + 1))


def _e164(person: Person) -> str | None:
    if person.phone is None:
        return None
    return phonenumbers.format_number(person.phone, phonenumbers.PhoneNumberFormat.E164)


def _rows(batch: list[Person], now: datetime) -> tuple[list[Any], list[Any], list[Any]]:
    customers, contacts, keys = [], [], []
    for person in batch:
        cid = customer_id(person.entity)
        phone = _e164(person)
        email = person.email.lower()
        customers.append(
            {
                "id": cid,
                "lifecycle_stage": "active",
                "given_name": person.given,
                "family_name": person.family,
                "birth_date": person.birth,
                "profile_type": "person",
                "loyalty_id": person.loyalty_id or None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        # executemany takes its columns from the first row: every row names them all.
        common = {
            "customer_id": cid,
            "source": "bench",
            "created_at": now,
            "is_primary": True,
            **dict.fromkeys(("label", "street", "city", "postcode", "country")),
        }
        contacts.append({**common, "kind": "email", "value": email})
        if phone:
            contacts.append({**common, "kind": "phone", "value": phone})
        street = f"{person.number} {person.street}"
        contacts.append(
            {
                **common,
                "kind": "address",
                "label": "home",
                "value": f"{street}, {person.postcode} {person.city}, {person.region}",
                "street": street,
                "city": person.city,
                "postcode": person.postcode,
                "country": person.region,
            }
        )
        searchable = SearchableCustomer(
            customer_id=cid,
            given_name=person.given,
            family_name=person.family,
            loyalty_id=person.loyalty_id or None,
            emails=(email,),
            phones=(phone,) if phone else (),
            cities=(person.city,),
            postcodes=(person.postcode,),
        )
        keys += [{"customer_id": cid, "kind": k, "key": v} for k, v in customer_keys(searchable)]
    return customers, contacts, keys


def build_store(count: int) -> tuple[str, list[Person], float]:
    """The store file for `count` people (built once) and the people; seconds spent building."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"search-{count}.db"
    ready = OUT / f"search-{count}.ready"
    started = time.perf_counter()
    crowd = people(count, seed=5)
    if ready.exists():
        return str(path), crowd, 0.0
    path.unlink(missing_ok=True)
    upgrade(f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql("PRAGMA cache_size=-1000000")
        # One sort-based index build at the end beats ten million random index inserts.
        connection.execute(text("DROP INDEX ix_search_key_lookup"))
    for start in range(0, count, CHUNK):
        customers, contacts, keys = _rows(crowd[start : start + CHUNK], now)
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.execute(insert(Customer.__table__), customers)  # type: ignore[attr-defined]
            connection.execute(insert(ContactPoint.__table__), contacts)  # type: ignore[attr-defined]
            connection.execute(insert(SearchKey.__table__), keys)  # type: ignore[attr-defined]
        console.print(f"  {min(start + CHUNK, count):,} customers", end="\r")
    with engine.begin() as connection:
        connection.execute(
            text("CREATE INDEX ix_search_key_lookup ON search_key (kind, key, customer_id)")
        )
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    ready.touch()
    return str(path), crowd, time.perf_counter() - started


def _other_format(person: Person) -> str | None:
    if person.phone is None:
        return None
    # At home people say the national form; abroad the international one with spaces.
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if person.region == "GB"
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(person.phone, style)


def _misspelt(email: str, rng: random.Random) -> str:
    local, _, domain = email.partition("@")
    if rng.random() < 0.5:
        return f"{_typo(local, rng)}@{domain}"
    return f"{local}@{_typo(domain, rng)}"


def _loyalty_as_typed(loyalty: str, rng: random.Random) -> str:
    return rng.choice([loyalty.lower(), f"{loyalty[:2]} {loyalty[2:]}", loyalty])


@dataclass(frozen=True)
class Case:
    mix: str
    query: str
    expected: str


def cases(crowd: list[Person], per_mix: int, seed: int = 11) -> list[Case]:
    """`per_mix` queries of each mix about people drawn at random (who have the field)."""
    rng = random.Random(seed)
    made: list[Case] = []
    makers = {
        "name + town": lambda p: f"{p.given} {p.family} {p.city}",
        "phone, other format": _other_format,
        "misspelt email": lambda p: _misspelt(p.email, rng),
        "loyalty id": lambda p: _loyalty_as_typed(p.loyalty_id, rng) if p.loyalty_id else None,
        "postcode + name": lambda p: f"{p.postcode} {p.family}",
    }
    for mix, make in makers.items():
        count = 0
        while count < per_mix:
            person = rng.choice(crowd)
            query = make(person)
            if query:
                made.append(Case(mix, query, customer_id(person.entity)))
                count += 1
    return made


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarize(
    times: dict[str, list[float]], hits: dict[str, list[bool]], cpu: dict[str, list[float]]
) -> list[list[str]]:
    rows = []
    for mix in (*MIXES, "all"):
        ms = times[mix]
        rows.append(
            [
                mix,
                str(len(ms)),
                f"{statistics.median(ms):.1f}",
                f"{_percentile(ms, 0.95):.1f}",
                f"{_percentile(ms, 0.99):.1f}",
                f"{statistics.median(cpu[mix]):.1f}",
                f"{_percentile(cpu[mix], 0.99):.1f}",
                f"{statistics.fmean(cpu[mix]):.1f}",
                f"{100 * sum(hits[mix]) / len(hits[mix]):.1f}%",
            ]
        )
    return rows


def _by_mix() -> dict[str, list[Any]]:
    return {mix: [] for mix in (*MIXES, "all")}


async def measure_service(url: str, work: list[Case]) -> tuple[dict, dict, dict]:
    """Wall and CPU milliseconds per query (CPU of this process: event loop and SQLite thread,
    which is the work a query costs whatever else the machine is running)."""
    db = Database(f"sqlite+aiosqlite:///{url}", pool_size=1)
    times, hits, cpu = _by_mix(), _by_mix(), _by_mix()
    try:
        for case in work[:50]:  # warm-up: connections, caches, pages of the index
            await search_customers(db, query=case.query, limit=10)
        for case in work:
            started, cpu_started = time.perf_counter(), time.process_time()
            found = await search_customers(db, query=case.query, limit=10)
            elapsed = (time.perf_counter() - started) * 1000
            used = (time.process_time() - cpu_started) * 1000
            hit = case.expected in [h.customer.id for h in found[:5]]
            for mix in (case.mix, "all"):
                times[mix].append(elapsed)
                cpu[mix].append(used)
                hits[mix].append(hit)
    finally:
        await db.dispose()
    return times, hits, cpu


def measure_http(path: str, work: list[Case]) -> tuple[dict, dict, dict]:
    """Wall milliseconds per request, and the server's CPU per request (clock ticks of 10 ms,
    so only the median over many requests means much)."""
    url = f"sqlite+aiosqlite:///{path}"
    key = admin_key(url, name="bench-search")
    times, hits, cpu = _by_mix(), _by_mix(), _by_mix()
    with (
        gateway(url) as served,
        httpx.Client(base_url=served.url, headers={"X-API-Key": key}) as client,
    ):

        def ask(query: str) -> list[Any]:
            response = client.post(
                "/graphql", json={"query": SEARCH, "variables": {"query": query}}
            )
            body = response.json()
            assert "errors" not in body, body
            return body["data"]["searchCustomers"]

        for case in work[:50]:
            ask(case.query)
        for case in work:
            started, cpu_started = time.perf_counter(), cpu_seconds(served.pid)
            found = ask(case.query)
            elapsed = (time.perf_counter() - started) * 1000
            used = (cpu_seconds(served.pid) - cpu_started) * 1000
            top = [_store_id(result["customer"]["id"]) for result in found[:5]]
            for mix in (case.mix, "all"):
                times[mix].append(elapsed)
                cpu[mix].append(used)
                hits[mix].append(case.expected in top)
    return times, hits, cpu


def _store_id(global_id: str) -> str:
    from strawberry.relay import GlobalID

    return GlobalID.from_id(global_id).node_id


def _table(title: str, rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "query mix" else "right")
    for row in rows:
        table.add_row(*row)
    return table


def _markdown(rows: list[list[str]]) -> Iterator[str]:
    yield "| " + " | ".join(COLUMNS) + " |"
    yield "|---" * len(COLUMNS) + "|"
    for row in rows:
        yield "| " + " | ".join(row) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="per mix, service function")
    parser.add_argument("--http-queries", type=int, default=200, help="per mix, over HTTP")
    args = parser.parse_args()
    path, crowd, seconds = build_store(args.customers)
    size = Path(path).stat().st_size / 1e9
    built = f"built in {seconds:.0f} s" if seconds else "reused"
    console.print(f"store: {args.customers:,} customers, {size:.2f} GB ({built})")
    work = cases(crowd, args.queries)
    random.Random(3).shuffle(work)
    service = summarize(*asyncio.run(measure_service(path, work)))
    console.print(_table(f"search_customers (service), {args.customers:,} customers", service))
    http_work = cases(crowd, args.http_queries, seed=12)
    random.Random(4).shuffle(http_work)
    over_http = summarize(*measure_http(path, http_work))
    console.print(_table(f"searchCustomers over HTTP, {args.customers:,} customers", over_http))
    print("\nservice function:")
    print("\n".join(_markdown(service)))
    print("\nGraphQL over HTTP:")
    print("\n".join(_markdown(over_http)))


if __name__ == "__main__":
    main()
