"""`c360 demo`: seeds an empty store, prints a GraphiQL link signed in as admin, then serves."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from composition.cli import app as cli
from connectors.config_toml import dump_connectors_config
from simulators import demo as demo_module
from simulators.config import demo_config
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql

runner = CliRunner()
TOTAL = "{ customers(first: 1) { totalCount } }"


def test_demo_prints_a_graphiql_link_that_signs_in_as_admin(tmp_path, monkeypatch):
    # given an empty store, and a serve step that records what it would serve
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    connectors = tmp_path / "connectors.toml"
    connectors.write_text(dump_connectors_config(demo_config()))
    monkeypatch.setenv("C360_DATABASE_URL", url)
    monkeypatch.setenv("C360_DEMO_CUSTOMERS", "8")
    monkeypatch.setenv("C360_PORT", "8399")
    monkeypatch.setenv("C360_CONNECTORS_FILE", str(connectors))
    served: list[Settings] = []
    monkeypatch.setattr(demo_module, "_serve", lambda settings, environ: served.append(settings))

    # when
    result = runner.invoke(cli, ["demo"])

    # then
    assert result.exit_code == 0, result.output
    links = re.findall(r"http://127\.0\.0\.1:8399/graphql#key=(c360_\S+)", result.output)
    assert len(links) == 1 and len(served) == 1
    assert _as(url, links[0]) == (8, 200)


def _as(url: str, key: str) -> tuple[int, int]:
    """The customers this key sees, and its status at `/metrics` (200 for admins only)."""

    async def read() -> tuple[int, int]:
        settings = Settings(database_url=url, log_json=False, connectors_file=None)
        async with running_gateway(settings) as gateway:
            async with gateway.new_client({"X-API-Key": key}) as client:
                body = assert_no_errors(await gql(client, TOTAL))
                metrics = await client.get("/metrics")
        return body["customers"]["totalCount"], metrics.status_code

    return asyncio.run(read())


@pytest.fixture(autouse=True)
def _no_real_server(monkeypatch):
    # Belt and braces: the demo must never reach uvicorn in this test.
    monkeypatch.setattr(demo_module.uvicorn, "run", lambda *a, **k: pytest.fail("served for real"))
