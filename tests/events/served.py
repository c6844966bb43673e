"""A real `c360 serve` process on a test store, for the tests that need uvicorn and sockets."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.events.webhook_receiver import free_port

C360 = str(Path(sys.executable).parent / "c360")
WAIT = 60.0  # bounds a hung test (a server start on a busy host), never a timing assertion


def admin_key(database_url: str, name: str) -> str:
    """A new admin API key on the store (printed once by `c360 keys create`)."""
    created = subprocess.run(
        [C360, "keys", "create", "--name", name, "--role", "admin", "--purpose", "support"],
        env={**os.environ, "C360_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


@asynccontextmanager
async def served(
    database_url: str, environ: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[subprocess.Popen[bytes], str]]:
    """A `c360 serve` process on the store and its URL, once it answers `/healthz`; stopped at
    the end unless the test killed it."""
    port = free_port()
    env = {
        **os.environ,
        "C360_LOG_LEVEL": "WARNING",
        **(environ or {}),
        "C360_DATABASE_URL": database_url,
        "C360_PORT": str(port),
    }
    process = subprocess.Popen([C360, "serve"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client, asyncio.timeout(WAIT):
            while True:
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            await asyncio.to_thread(process.wait, 30)
