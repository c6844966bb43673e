"""`c360 serve --workers N` comes up even when its workers are slow to start (a busy host)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

C360 = str(Path(sys.executable).parent / "c360")
SLOW_START = """
import sys, time
if "--multiprocessing-fork" in sys.argv:
    time.sleep(8)  # a spawned worker importing the app on a host at a load average of 20
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_workers_slower_to_start_than_uvicorns_health_check_are_not_killed(tmp_path):
    # given: every worker process takes 8 s before it can answer the supervisor's health check
    (tmp_path / "sitecustomize.py").write_text(SLOW_START)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "C360_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c360.db'}",
        "C360_PORT": str(port),
        "C360_LOG_LEVEL": "WARNING",
    }
    # when
    server = subprocess.Popen([C360, "serve", "--workers", "2"], env=env)
    try:
        answered = None
        deadline = time.monotonic() + 120
        while answered is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=60)

    # then: the workers were let finish starting (killed at 5 s, they would be respawned forever)
    assert answered == 200
