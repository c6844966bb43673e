"""Starting a real `c360 serve` process on a seeded store, for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
C360 = str(Path(sys.executable).parent / "c360")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([C360, *args], env={**os.environ, **env}, check=True)


def seeded_database(backend: str, customers: int) -> str:
    """A database URL holding `customers` seeded customers (built once, then reused)."""
    OUT.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        path = OUT / f"bench-{customers}.db"
        url = f"sqlite+aiosqlite:///{path}"
        marker = OUT / f"bench-{customers}.sqlite.ready"
    else:
        name = f"c360_bench_{customers}"
        base = os.environ.get(
            "C360_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
        url = base.rsplit("/", 1)[0] + f"/{name}"
        marker = OUT / f"bench-{customers}.postgres.ready"
        if not marker.exists():
            admin = base.replace("+asyncpg", "")
            subprocess.run(
                ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True
            )
            subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    if not marker.exists():
        if backend == "sqlite":
            path.unlink(missing_ok=True)
        env = {"C360_DATABASE_URL": url}
        run_cli("db", "upgrade", env=env)
        run_cli("seed", "--customers", str(customers), env=env)
        marker.touch()
    else:
        run_cli("db", "upgrade", env={"C360_DATABASE_URL": url})
    return url


def admin_key(database_url: str, name: str = "bench") -> str:
    """A fresh admin API key for the benchmark's load client (printed once by the CLI)."""
    result = subprocess.run(
        [C360, "keys", "create", "--name", name, "--role", "admin", "--purpose", "support"],
        env={**os.environ, "C360_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def cpu_seconds(*pids: int) -> float:
    """CPU time (user + system) used so far by these processes and their children."""
    total = 0.0
    for pid in pids:
        process = psutil.Process(pid)
        for each in (process, *process.children(recursive=True)):
            times = each.cpu_times()
            total += times.user + times.system
    return total


@dataclass(frozen=True)
class Gateway:
    """A running `c360 serve`: where it listens and its process id (for its CPU time)."""

    url: str
    pid: int


@contextmanager
def gateway(
    database_url: str, *, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Gateway]:
    """Run `c360 serve` until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "C360_DATABASE_URL": database_url,
        "C360_LOG_LEVEL": "WARNING",
        "C360_PORT": str(port),
        **(extra_env or {}),
    }
    process = subprocess.Popen([C360, "serve", "--workers", str(workers)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # up to 2 minutes: N workers on a busy machine start slowly
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the gateway did not start")
        yield Gateway(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)


def run_load(url: str, spec: str, *, concurrency: int, duration: float) -> dict[str, float]:
    """Run bench.load_client in its own process and return its result."""
    import json

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load_client",
            "--url",
            url,
            "--concurrency",
            str(concurrency),
            "--duration",
            str(duration),
        ],
        input=spec,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def sample_ids(database_url: str, count: int) -> list[str]:
    """Random live customer ids from the store."""
    from sqlalchemy import func, select

    from app.store.db import Database, run_with_database
    from app.store.models import Customer

    async def fetch(db: Database) -> list[str]:
        async with db.session() as session:
            rows = await session.scalars(select(Customer.id).order_by(func.random()).limit(count))
            return list(rows)

    return run_with_database(database_url, fetch)
