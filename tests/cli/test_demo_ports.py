"""The demo's ports are settings: taken ones are named up front, chosen ones are used."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from typer.testing import CliRunner

from app.settings import Settings
from composition.cli import app
from connectors.config import load_connectors_config
from simulators.demo_sources import demo_simulators

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _listening() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _wait_for(url: str, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_demo_refuses_a_taken_simulator_port_naming_its_setting(tmp_path, monkeypatch):
    # given: something else holds the port chosen for the CRM simulator
    database = tmp_path / "demo.db"
    monkeypatch.setenv("C360_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("C360_PORT", str(_free_port()))
    with _listening() as taken:
        monkeypatch.setenv("C360_DEMO_HUBSPOT_PORT", str(taken))

        # when
        result = runner.invoke(app, ["demo"])

    # then: it stops before touching the store, naming the setting to change
    assert result.exit_code == 2, result.output
    assert f"C360_DEMO_HUBSPOT_PORT={taken}" in result.output
    assert "C360_DEMO_ODOO_PORT" not in result.output
    assert not database.exists()


def test_the_simulators_run_on_the_ports_the_settings_give():
    # given
    systems = ("odoo", "hubspot", "surveymonkey", "zendesk")
    ports = {system: _free_port() for system in systems}
    settings = Settings(
        demo_customers=3, **{f"demo_{system}_port": port for system, port in ports.items()}
    )

    # when
    with demo_simulators(settings) as connectors_file:
        config = load_connectors_config(connectors_file)
        answers = {system: _wait_for(f"http://127.0.0.1:{port}/") for system, port in ports.items()}

    # then
    assert {s: str(c.base_url) for s, c in config.connectors.items()} == {
        system: f"http://127.0.0.1:{port}" for system, port in ports.items()
    }
    assert all(answer.status_code < 500 for answer in answers.values())
