"""Persisted operations: `c360 operations register` and the Apollo persisted-query shape."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from typer.testing import CliRunner

from app.operations.persisted import PersistedOperations, operations_in
from composition.cli import app
from tests.conftest import running_gateway
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors, error_codes

OPERATIONS_FILE = """
query CustomerCount { customers { ...Total } }
query Typename { __typename }
fragment Total on CustomerConnection { totalCount }
"""
COUNT_DOCUMENT = "query CustomerCount {\n  customers {\n    ...Total\n  }\n}\n\n" + (
    "fragment Total on CustomerConnection {\n  totalCount\n}"
)
COUNT_HASH = hashlib.sha256(COUNT_DOCUMENT.encode()).hexdigest()
# What Apollo Client sends for CustomerCount: its cache adds `__typename` to every selection set
# but the operation's root before printing (graphql-js `print`) and hashing.
APOLLO_COUNT_DOCUMENT = (
    "query CustomerCount {\n  customers {\n    ...Total\n    __typename\n  }\n}\n\n"
    "fragment Total on CustomerConnection {\n  totalCount\n  __typename\n}"
)
APOLLO_COUNT_HASH = hashlib.sha256(APOLLO_COUNT_DOCUMENT.encode()).hexdigest()
UNKNOWN_HASH = "0" * 64
FREE_FORM = "{ customers { totalCount } }"
runner = CliRunner()


def _persisted(sha256: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def _post(client, body: dict[str, object]):
    return await client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})


async def _register(tmp_path, monkeypatch, database_url: str, text: str = OPERATIONS_FILE):
    monkeypatch.setenv("C360_DATABASE_URL", database_url)
    file = tmp_path / "operations.graphql"
    file.write_text(text)
    # The CLI runs its own event loop (asyncio.run), so it cannot run on the test's loop.
    return await asyncio.to_thread(runner.invoke, app, ["operations", "register", str(file)])


@pytest.fixture
async def persisted_only(settings, database_url, tmp_path, monkeypatch):
    """A gateway in persisted-operations mode, with OPERATIONS_FILE registered."""
    result = await _register(tmp_path, monkeypatch, database_url)
    assert result.exit_code == 0, result.output
    mode = {"persisted_operations_only": True}
    async with running_gateway(settings.model_copy(update=mode)) as gateway:
        yield gateway.client


def test_each_operation_is_its_own_document_with_the_fragments_it_uses():
    # when
    operations = operations_in(OPERATIONS_FILE)

    # then
    assert [(op.name, op.document) for op in operations] == [
        ("CustomerCount", COUNT_DOCUMENT),
        ("Typename", "query Typename {\n  __typename\n}"),
    ]
    assert operations[0].sha256 == COUNT_HASH


async def test_register_prints_each_hash_and_is_idempotent(tmp_path, monkeypatch, database_url):
    # when
    first = await _register(tmp_path, monkeypatch, database_url)
    again = await _register(tmp_path, monkeypatch, database_url)

    # then
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == f"{COUNT_HASH} CustomerCount"
    assert "2 new, 0 already registered" in first.stderr
    assert "0 new, 2 already registered" in again.stderr


async def test_register_refuses_a_file_that_is_not_graphql(tmp_path, monkeypatch, database_url):
    # when
    result = await _register(tmp_path, monkeypatch, database_url, "query {")

    # then
    assert result.exit_code == 1
    assert "not a GraphQL document" in result.stderr


async def test_a_registered_hash_runs_without_the_query_text(persisted_only):
    # when
    response = await _post(persisted_only, {"extensions": _persisted(COUNT_HASH)})

    # then
    assert response.status_code == 200
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


async def test_the_hash_apollo_client_sends_for_a_registered_file_runs(persisted_only):
    # when: hash only (persisted queries), then hash and text (automatic persisted queries)
    by_hash = await _post(persisted_only, {"extensions": _persisted(APOLLO_COUNT_HASH)})
    with_text = await _post(
        persisted_only,
        {"query": APOLLO_COUNT_DOCUMENT, "extensions": _persisted(APOLLO_COUNT_HASH)},
    )

    # then
    expected = {"customers": {"totalCount": 0, "__typename": "CustomerConnection"}}
    assert by_hash.status_code == 200, by_hash.text
    assert assert_no_errors(by_hash.json()) == expected
    assert assert_no_errors(with_text.json()) == expected


async def test_register_prints_the_hash_apollo_client_sends(tmp_path, monkeypatch, database_url):
    # when
    result = await _register(tmp_path, monkeypatch, database_url)

    # then: `query Typename { __typename }` gets nothing added, so it has one hash
    assert result.stdout.splitlines()[:2] == [
        f"{COUNT_HASH} CustomerCount",
        f"{APOLLO_COUNT_HASH} CustomerCount (with __typename)",
    ]
    assert len(result.stdout.splitlines()) == 3


async def test_a_registered_hash_runs_with_its_query_text(persisted_only):
    # when
    response = await _post(
        persisted_only, {"query": COUNT_DOCUMENT, "extensions": _persisted(COUNT_HASH)}
    )

    # then
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


async def test_a_registered_hash_runs_over_get(persisted_only):
    # when
    response = await persisted_only.get(
        "/graphql",
        params={"extensions": json.dumps(_persisted(COUNT_HASH))},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    # then
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}


async def test_an_unknown_hash_is_persisted_query_not_found(persisted_only, list_calls):
    # when
    response = await _post(persisted_only, {"extensions": _persisted(UNKNOWN_HASH)})

    # then
    assert response.status_code == 400
    assert error_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert list_calls == []


async def test_a_free_form_query_is_persisted_query_required(persisted_only, list_calls):
    # when
    response = await _post(persisted_only, {"query": FREE_FORM})

    # then
    assert response.status_code == 400
    assert error_codes(response.json()) == ["PERSISTED_QUERY_REQUIRED"]
    assert "registered" in response.json()["errors"][0]["message"]
    assert list_calls == []


async def test_a_free_form_query_with_an_unknown_hash_is_not_found(persisted_only, list_calls):
    # when
    free = {
        "query": FREE_FORM,
        "extensions": _persisted(hashlib.sha256(FREE_FORM.encode()).hexdigest()),
    }
    response = await _post(persisted_only, free)

    # then
    assert error_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert list_calls == []


async def test_a_text_that_does_not_match_its_hash_is_refused(persisted_only, list_calls):
    # when
    response = await _post(
        persisted_only, {"query": FREE_FORM, "extensions": _persisted(COUNT_HASH)}
    )

    # then
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    assert list_calls == []


@pytest.mark.parametrize(
    "extensions",
    [{"persistedQuery": {"version": 1, "sha256Hash": "abc"}}, {"persistedQuery": "x"}],
)
async def test_a_malformed_persisted_query_is_400(persisted_only, extensions):
    # when
    response = await _post(persisted_only, {"extensions": extensions})

    # then
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_with_the_mode_off_free_form_queries_run_and_hashes_still_resolve(
    client, tmp_path, monkeypatch, database_url
):
    # given
    assert (await _register(tmp_path, monkeypatch, database_url)).exit_code == 0

    # when
    free = await _post(client, {"query": FREE_FORM})
    by_hash = await _post(client, {"extensions": _persisted(COUNT_HASH)})
    unknown = await _post(client, {"extensions": _persisted(UNKNOWN_HASH)})

    # then: an APQ client resends the text after PERSISTED_QUERY_NOT_FOUND
    assert assert_no_errors(free.json()) == {"customers": {"totalCount": 0}}
    assert assert_no_errors(by_hash.json()) == {"customers": {"totalCount": 0}}
    assert error_codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_registered_hashes_are_cached_in_process(
    gateway, tmp_path, monkeypatch, database_url
):
    # given
    assert (await _register(tmp_path, monkeypatch, database_url)).exit_code == 0
    now = [0.0]
    registry = PersistedOperations(gateway.db, clock=lambda: now[0])
    assert await registry.document(COUNT_HASH) == COUNT_DOCUMENT
    queries: list[str] = []
    monkeypatch.setattr(
        "app.store.repositories.persisted_operations.all_operations",
        lambda *_a, **_k: queries.append("load"),
    )

    # when: hits and a flood of misses within the reload interval
    hits = [await registry.document(COUNT_HASH) for _ in range(3)]
    misses = [await registry.document(UNKNOWN_HASH) for _ in range(50)]

    # then
    assert hits == [COUNT_DOCUMENT] * 3
    assert misses == [None] * 50
    assert queries == []
