"""Erasure leaves no copy of the person in SQLite's files (issue 16, item 3).

Deleted rows survive in SQLite's free space and in the write-ahead log until a checkpoint
copies the log back and the space is overwritten. The test scans the raw `.db`, `-wal` and
`-shm` files for the person's identifiers after an erasure through GraphQL and the CLI.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from app.store.migrate import upgrade
from composition.cli import app
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, gql
from tests.privacy.people import create_john, create_person

ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"
UPDATE = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }"
EMAIL = "jane.erased.5521@example.com"
PHONE = "+447911123521"
LOYALTY = "LOY-ERASED-5521"
OLD_NAME = "Oldmaidenname"


def _files(database: Path) -> dict[str, bytes]:
    """The raw bytes of the database file and its -wal and -shm companions (if present)."""
    paths = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return {path.name: path.read_bytes() for path in paths if path.exists()}


def _copies(database: Path, values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(file, value) for each identifier still readable in one of the files."""
    return [
        (name, value)
        for name, data in _files(database).items()
        for value in values
        if value.encode() in data
    ]


async def _jane_with_history(client) -> tuple[str, str]:
    """Jane, whose family name was changed once (the old one lies in freed space); ids."""
    jane = await create_person(client, email=EMAIL, phone=PHONE, loyalty_id=LOYALTY)
    rename = {"id": jane.id, "version": jane.version, "familyName": OLD_NAME}
    version = assert_no_errors(await gql(client, UPDATE, {"input": rename}))
    back = {
        "id": jane.id,
        "version": version["updateCustomer"]["version"],
        "familyName": "Doe",
    }
    assert_no_errors(await gql(client, UPDATE, {"input": back}))
    return jane.id, jane.store_id


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "erasure.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def test_erasure_leaves_no_copy_in_the_sqlite_files(database: Path):
    # given: Jane and John in a store of their own, Jane's data readable in the files
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", log_json=False)
    async with running_gateway(settings) as gateway:
        jane_id, _ = await _jane_with_history(gateway.client)
        john = await create_john(gateway.client)
        assert _copies(database, (EMAIL, LOYALTY))

        # when
        assert_no_errors(await gql(gateway.client, ERASE, {"id": jane_id}))

        # then: while the gateway still runs, no file holds any of her identifiers
        assert _copies(database, (EMAIL, PHONE, LOYALTY, OLD_NAME)) == []
        assert _copies(database, (john.email,)) != []  # the scan does find live data


async def test_the_cli_erasure_leaves_no_copy_in_the_sqlite_files_while_the_gateway_runs(
    database: Path, monkeypatch: pytest.MonkeyPatch
):
    # given: a running gateway keeps the log open (the CLI closing would otherwise remove it)
    url = f"sqlite+aiosqlite:///{database}"
    monkeypatch.setenv("C360_DATABASE_URL", url)
    monkeypatch.delenv("C360_CONNECTORS_FILE", raising=False)
    async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
        _, store_id = await _jane_with_history(gateway.client)

        # when
        result = await asyncio.to_thread(CliRunner().invoke, app, ["dsar", "erase", store_id])

        # then
        assert result.exit_code == 0, result.output
        assert _copies(database, (EMAIL, PHONE, LOYALTY, OLD_NAME)) == []
