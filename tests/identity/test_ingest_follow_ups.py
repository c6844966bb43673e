"""What an import must respect and keep in step: the suppression list and the search index."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.settings import Settings
from tests.conftest import running_gateway
from tests.graphql_client import assert_no_errors, error_codes, gql
from tests.identity.test_import_command import LEGACY, MAP, _file, _import, _query, store

__all__ = ["store"]  # the fixture, imported for its side effect on pytest

ERASE = "mutation($id: ID!) { eraseCustomer(customerId: $id) { complete } }"
BY_SOURCE = """
query($externalId: String!) { customerBySourceId(system: "legacy", externalId: $externalId) { id } }
"""
SEARCH = "query($q: String!) { searchCustomers(query: $q, limit: 5) { customer { id } } }"
COUNT = "{ customers(first: 1) { totalCount } }"
BY_WEBSHOP = '{ customerBySourceId(system: "webshop", externalId: "N1") { id } }'


def _run(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async def call() -> dict[str, Any]:
        async with running_gateway(Settings(database_url=url, log_json=False)) as gateway:
            return await gql(gateway.client, query, variables)

    return asyncio.run(call())


def test_reliability_17_a_reimport_does_not_bring_an_erased_person_back(
    store: str, tmp_path: Path
) -> None:
    # given: Jane was imported, then erased
    legacy = _file(tmp_path, "legacy.csv", LEGACY)
    assert _import(legacy, "legacy", "ref", *MAP).exit_code == 0
    jane = _query(store, BY_SOURCE, {"externalId": "L1"})["customerBySourceId"]
    assert_no_errors(_run(store, ERASE, {"id": jane["id"]}))
    before = _query(store, COUNT)["customers"]["totalCount"]

    # when: the same file is imported again
    result = _import(legacy, "legacy", "ref", *MAP)

    # then: Jane is skipped as erased; the others are only refreshed
    assert result.exit_code == 0, result.output
    assert "erased person" in result.output
    assert _query(store, COUNT)["customers"]["totalCount"] == before
    gone = _run(store, BY_SOURCE, {"externalId": "L1"})
    assert gone["data"] == {"customerBySourceId": None}
    assert error_codes(gone) == ["NOT_FOUND"]


def test_imported_customers_are_found_by_search(store: str, tmp_path: Path) -> None:
    # when
    assert _import(_file(tmp_path, "legacy.csv", LEGACY), "legacy", "ref", *MAP).exit_code == 0

    # then: the index followed the import (Oliver Grant of Leeds, and Mary by her phone)
    oliver = _query(store, BY_SOURCE, {"externalId": "L2"})["customerBySourceId"]["id"]
    mary = _query(store, BY_SOURCE, {"externalId": "L3"})["customerBySourceId"]["id"]
    by_name = _query(store, SEARCH, {"q": "oliver grant leeds"})["searchCustomers"]
    by_phone = _query(store, SEARCH, {"q": "+44 20 7946 0999"})["searchCustomers"]
    assert by_name[0]["customer"]["id"] == oliver
    assert by_phone[0]["customer"]["id"] == mary


CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id version } }"
UPDATE = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { version } }"
CANDIDATES = "{ duplicateCandidates(first: 10) { edges { node { left { id } right { id } } } } }"
JUST_A_NAME = "id,given_name,family_name\nN1,Jane,Smithson\n"
SOMEONE_ELSE = "id,given_name,family_name,email\nX1,Peter,Piper,peter@example.com\n"


def test_a_name_changed_through_graphql_is_what_the_next_import_matches(
    store: str, tmp_path: Path
) -> None:
    # given: Jane Doe, indexed by a first import, then renamed through GraphQL
    jane = assert_no_errors(
        _run(store, CREATE, {"input": {"givenName": "Jane", "familyName": "Doe"}})
    )["createCustomer"]
    assert _import(_file(tmp_path, "other.csv", SOMEONE_ELSE), "crm", "id").exit_code == 0
    renamed = {"id": jane["id"], "version": jane["version"], "familyName": "Smithson"}
    assert_no_errors(_run(store, UPDATE, {"input": renamed}))

    # when: a record carrying only the new name arrives
    result = _import(_file(tmp_path, "names.csv", JUST_A_NAME), "webshop", "id")

    # then: it was compared with the renamed Jane (found by her new name), not just created
    assert result.exit_code == 0, result.output
    candidates = _query(store, CANDIDATES)["duplicateCandidates"]["edges"]
    linked = _query(store, BY_WEBSHOP)["customerBySourceId"]["id"] == jane["id"]
    paired_with_jane = [
        edge
        for edge in candidates
        if jane["id"] in {(edge["node"]["left"] or {}).get("id"), edge["node"]["right"]["id"]}
    ]
    # A name alone is too weak to link: the new record is queued for review beside Jane.
    assert not linked, result.output
    assert len(paired_with_jane) == 1, result.output
