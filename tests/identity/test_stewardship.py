"""Stewardship end to end through GraphQL: duplicates found by import, auto-linked, reviewed,
merged and unmerged, with provenance, consents and access checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from app.identity.ingest import Ingestor
from app.identity.record_csv import read_records_csv
from app.identity.sync import incoming_from_csv
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.models import SourceLink
from tests.conftest import ClientFactory, Gateway
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql, node_id

LEGACY = """\
ref,given_name,family_name,email,phone,street,city,postcode,country,birth_date
L1,Jane,Doe,jane.doe@example.org,0113 496 0123,1 High Street,Leeds,LS1 4AP,GB,1985-07-21
L2,Oliver,Grant,og@example.com,,12 Mill Lane,Leeds,LS2 7EW,GB,1970-01-02
"""
WEBSHOP = """\
ref,given_name,family_name,email,phone,city,postcode,country,birth_date
W1,Jane,Doe,Jane.Doe@Example.org,+44 113 496 0123,Leeds,LS1 4AP,GB,21/07/1985
W2,Oliver,Grant,og@example.com,07911 123456,Leeds,LS2 7EW,GB,1971-05-05
"""

CANDIDATES = """
query Candidates($first: Int, $after: String, $minScore: Float! = 0) {
  duplicateCandidates(first: $first, after: $after, minScore: $minScore) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id score probability status guards
      evidence { field level similarity weight }
      left { id givenName familyName } right { id givenName familyName }
    } }
  }
}
"""
CUSTOMER = """
query Customer($id: ID!) {
  customer(id: $id) {
    id givenName familyName birthDate version
    emails { address isPrimary source } phones { number source }
    addresses { formatted }
    identities { system externalId method }
    provenance { field system rule recordedAt }
    consents { purpose channel state }
  }
}
"""
BY_SOURCE = """
query BySource($system: String!, $externalId: String!) {
  customerBySourceId(system: $system, externalId: $externalId) { id }
}
"""
RESOLVE = """
mutation Resolve($id: ID!, $decision: CandidateDecision!) {
  resolveCandidate(id: $id, decision: $decision) {
    candidate { id status decidedAt }
    survivor { id }
  }
}
"""
MERGE = """
mutation Merge($survivor: ID!, $merged: ID!) {
  mergeCustomers(survivorId: $survivor, mergedId: $merged) { id version }
}
"""
UNMERGE = """
mutation Unmerge($id: ID!) {
  unmergeCustomer(id: $id) { restored { id } survivor { id } }
}
"""
CONSENT = """
mutation Consent($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""
TRAIL = """
query Trail($id: ID!) { auditTrail(customerId: $id, first: 50) { edges { node { action } } } }
"""


async def _import(gateway: Gateway, settings: Settings, tmp_path: Path, source: str, text: str):
    path = tmp_path / f"{source}.csv"
    path.write_text(text, encoding="utf-8")
    records = read_records_csv(path, id_column="ref", source=source)
    ingestor = Ingestor.from_settings(gateway.db, settings)
    await ingestor.index_store()
    return await ingestor.ingest(incoming_from_csv(records, source=source))


async def _id_of(client: httpx.AsyncClient, system: str, external_id: str) -> str:
    data = assert_no_errors(
        await gql(client, BY_SOURCE, {"system": system, "externalId": external_id})
    )
    return data["customerBySourceId"]["id"]


async def _customer(client: httpx.AsyncClient, customer_id: str) -> dict[str, Any]:
    return assert_no_errors(await gql(client, CUSTOMER, {"id": customer_id}))["customer"]


async def _consent(client: httpx.AsyncClient, customer_id: str, status: str) -> None:
    variables = {
        "input": {
            "customerId": customer_id,
            "purpose": "MARKETING",
            "channel": "EMAIL",
            "status": status,
        }
    }
    assert_no_errors(await gql(client, CONSENT, variables))


def _comparable(customer: dict[str, Any]) -> dict[str, Any]:
    """A customer without its version (a concurrency token that every change moves on)."""
    return {key: value for key, value in customer.items() if key != "version"}


async def _arrange(gateway: Gateway, settings: Settings, tmp_path: Path) -> dict[str, str]:
    await _import(gateway, settings, tmp_path, "legacy", LEGACY)
    summary = await _import(gateway, settings, tmp_path, "webshop", WEBSHOP)
    assert summary.read == 2
    client = gateway.client
    return {
        "jane": await _id_of(client, "legacy", "L1"),
        "oliver": await _id_of(client, "legacy", "L2"),
        "oliver_web": await _id_of(client, "webshop", "W2"),
    }


async def test_duplicates_are_linked_reviewed_merged_and_unmerged(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given: Jane's second record was auto-linked; Oliver's conflicting birth date went to review
    ids = await _arrange(gateway, settings, tmp_path)
    client = gateway.client
    assert await _id_of(client, "webshop", "W1") == ids["jane"]
    assert ids["oliver_web"] != ids["oliver"]
    await _consent(client, ids["oliver_web"], "WITHDRAWN")
    await _consent(client, ids["oliver"], "GRANTED")
    before = {k: await _customer(client, ids[k]) for k in ("oliver", "oliver_web")}

    # when: the steward lists the candidates
    listed = assert_no_errors(await gql(client, CANDIDATES, {"minScore": 0.5}))
    page = listed["duplicateCandidates"]

    # then
    assert page["totalCount"] == 1
    (edge,) = page["edges"]
    candidate = edge["node"]
    assert candidate["status"] == "PENDING"
    assert "birth dates differ" in candidate["guards"]
    assert 0.5 <= candidate["score"] < 0.9
    evidence = {item["field"]: item for item in candidate["evidence"]}
    assert evidence["email"]["level"] == "same" and evidence["email"]["weight"] > 0
    assert evidence["birth_date"]["weight"] < 0
    assert {candidate["left"]["id"], candidate["right"]["id"]} == {
        ids["oliver"],
        ids["oliver_web"],
    }

    # when: MATCH merges the newer customer into the older one
    resolved = assert_no_errors(
        await gql(client, RESOLVE, {"id": candidate["id"], "decision": "MATCH"})
    )["resolveCandidate"]

    # then: the merged id is a tombstone that resolves to the survivor, which holds both
    # identities, both phones, and the withdrawal (the most restrictive consent)
    assert resolved["candidate"]["status"] == "MATCH"
    assert resolved["survivor"]["id"] == ids["oliver"]
    merged = await _customer(client, ids["oliver_web"])
    assert merged["id"] == ids["oliver"]
    assert {(i["system"], i["externalId"]) for i in merged["identities"]} == {
        ("legacy", "L2"),
        ("webshop", "W2"),
    }
    assert [p["number"] for p in merged["phones"]] == ["+447911123456"]
    assert [e["address"] for e in merged["emails"]] == ["og@example.com"]
    assert merged["consents"] == [
        {"purpose": "marketing", "channel": "email", "state": "WITHDRAWN"}
    ]
    lineage = {p["field"]: (p["system"], p["rule"]) for p in merged["provenance"]}
    assert merged["birthDate"] == "1971-05-05"
    assert lineage["birth_date"] == ("webshop", "most_recent")
    empty = assert_no_errors(await gql(client, CANDIDATES, {}))["duplicateCandidates"]
    assert empty["totalCount"] == 0

    # when: the steward undoes the merge
    undone = assert_no_errors(await gql(client, UNMERGE, {"id": ids["oliver_web"]}))

    # then: both records, links, contact points, provenance and consents are as they were
    assert undone["unmergeCustomer"] == {
        "restored": {"id": ids["oliver_web"]},
        "survivor": {"id": ids["oliver"]},
    }
    after = {k: await _customer(client, ids[k]) for k in ("oliver", "oliver_web")}
    for key in ("oliver", "oliver_web"):
        assert _comparable(after[key]) == _comparable(before[key])
        assert after[key]["version"] > before[key]["version"]

    # and the pair is remembered as different people: importing again proposes nothing
    again = await _import(gateway, settings, tmp_path, "webshop", WEBSHOP)
    assert again.read == 2
    assert (
        assert_no_errors(await gql(client, CANDIDATES, {}))["duplicateCandidates"]["totalCount"]
        == 0
    )
    trail = assert_no_errors(await gql(client, TRAIL, {"id": ids["oliver"]}))
    actions = [edge["node"]["action"] for edge in trail["auditTrail"]["edges"]]
    assert {"resolve_candidate", "unmerge"} <= set(actions)


async def test_not_a_match_is_remembered_and_cannot_be_decided_twice(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given
    ids = await _arrange(gateway, settings, tmp_path)
    client = gateway.client
    page = assert_no_errors(await gql(client, CANDIDATES, {}))["duplicateCandidates"]
    candidate_id = page["edges"][0]["node"]["id"]

    # when
    resolved = assert_no_errors(
        await gql(client, RESOLVE, {"id": candidate_id, "decision": "NOT_MATCH"})
    )["resolveCandidate"]
    twice = await gql(client, RESOLVE, {"id": candidate_id, "decision": "MATCH"})

    # then
    assert resolved["candidate"]["status"] == "NOT_MATCH"
    assert resolved["survivor"] is None
    assert error_codes(twice) == ["CONFLICT"]
    assert (
        assert_no_errors(await gql(client, CANDIDATES, {}))["duplicateCandidates"]["totalCount"]
        == 0
    )
    assert (await _customer(client, ids["oliver_web"]))["id"] == ids["oliver_web"]
    await _import(gateway, settings, tmp_path, "webshop", WEBSHOP)
    assert (
        assert_no_errors(await gql(client, CANDIDATES, {}))["duplicateCandidates"]["totalCount"]
        == 0
    )


async def test_merge_errors_have_codes_and_change_nothing(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given
    ids = await _arrange(gateway, settings, tmp_path)
    client = gateway.client
    missing = global_id("Customer", "00000000-0000-0000-0000-000000000000")
    assert_no_errors(await gql(client, MERGE, {"survivor": ids["jane"], "merged": ids["oliver"]}))

    # when / then
    cases = [
        (MERGE, {"survivor": ids["jane"], "merged": ids["jane"]}, "BAD_USER_INPUT"),
        (MERGE, {"survivor": ids["jane"], "merged": missing}, "NOT_FOUND"),
        (MERGE, {"survivor": ids["oliver_web"], "merged": ids["oliver"]}, "CONFLICT"),
        (
            MERGE,
            {"survivor": global_id("Interaction", "1"), "merged": ids["jane"]},
            "BAD_USER_INPUT",
        ),
        (UNMERGE, {"id": ids["oliver_web"]}, "CONFLICT"),
        (UNMERGE, {"id": missing}, "NOT_FOUND"),
        (RESOLVE, {"id": global_id("DuplicateCandidate", "999"), "decision": "MATCH"}, "NOT_FOUND"),
        (CANDIDATES, {"minScore": 2.0}, "BAD_USER_INPUT"),
        (CANDIDATES, {"after": "not-a-cursor"}, "BAD_USER_INPUT"),
        (CANDIDATES, {"first": 0}, "BAD_USER_INPUT"),
    ]
    for query, variables, code in cases:
        assert error_codes(await gql(client, query, variables)) == [code], (variables, code)
    assert (await _customer(client, ids["oliver"]))["id"] == ids["jane"]


async def test_a_later_merge_must_be_undone_first(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given: Oliver merged into Jane, then Oliver's web record too
    ids = await _arrange(gateway, settings, tmp_path)
    client = gateway.client
    assert_no_errors(await gql(client, MERGE, {"survivor": ids["jane"], "merged": ids["oliver"]}))
    assert_no_errors(
        await gql(client, MERGE, {"survivor": ids["jane"], "merged": ids["oliver_web"]})
    )

    # when / then
    assert error_codes(await gql(client, UNMERGE, {"id": ids["oliver"]})) == ["CONFLICT"]
    assert_no_errors(await gql(client, UNMERGE, {"id": ids["oliver_web"]}))
    assert_no_errors(await gql(client, UNMERGE, {"id": ids["oliver"]}))
    jane = await _customer(client, ids["jane"])
    assert {(i["system"], i["externalId"]) for i in jane["identities"]} == {
        ("legacy", "L1"),
        ("webshop", "W1"),
    }


async def test_candidates_page_through_with_cursors(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given: two review pairs
    await _arrange(gateway, settings, tmp_path)
    extra = (
        "ref,given_name,family_name,email,postcode,birth_date\n"
        "X1,Jane,Doe,jane.doe@example.org,LS1 4AP,1990-01-01\n"
    )
    await _import(gateway, settings, tmp_path, "events", extra)

    # when
    first = assert_no_errors(await gql(gateway.client, CANDIDATES, {"first": 1}))
    cursor = first["duplicateCandidates"]["pageInfo"]["endCursor"]
    second = assert_no_errors(await gql(gateway.client, CANDIDATES, {"first": 1, "after": cursor}))

    # then
    one, two = first["duplicateCandidates"], second["duplicateCandidates"]
    assert one["totalCount"] == two["totalCount"] == 2
    assert one["pageInfo"]["hasNextPage"] and not two["pageInfo"]["hasNextPage"]
    assert one["edges"][0]["node"]["score"] >= two["edges"][0]["node"]["score"]
    assert one["edges"][0]["node"]["id"] != two["edges"][0]["node"]["id"]


@pytest.mark.parametrize(
    ("role", "purpose", "query", "allowed"),
    [
        (Role.ANALYST, Purpose.ANALYTICS, CANDIDATES, True),
        (Role.SUPPORT_AGENT, Purpose.SUPPORT, CANDIDATES, False),
        (Role.ANALYST, Purpose.ANALYTICS, RESOLVE, False),
        (Role.SUPPORT_AGENT, Purpose.SUPPORT, MERGE, False),
        (Role.STEWARD, Purpose.ADMINISTRATION, MERGE, True),
        (Role.SUPPORT_AGENT, Purpose.SUPPORT, UNMERGE, False),
    ],
)
async def test_only_stewards_and_admins_decide_and_analysts_see_masked_pairs(
    gateway: Gateway,
    settings: Settings,
    tmp_path: Path,
    client_for: ClientFactory,
    role: Role,
    purpose: Purpose,
    query: str,
    allowed: bool,
) -> None:
    # given
    ids = await _arrange(gateway, settings, tmp_path)
    page = assert_no_errors(await gql(gateway.client, CANDIDATES, {}))["duplicateCandidates"]
    variables = {
        CANDIDATES: {},
        RESOLVE: {"id": page["edges"][0]["node"]["id"], "decision": "MATCH"},
        MERGE: {"survivor": ids["jane"], "merged": ids["oliver"]},
        UNMERGE: {"id": ids["oliver"]},
    }[query]
    caller = await client_for(role, purpose)

    # when
    body = await gql(caller, query, variables)

    # then
    if not allowed:
        assert error_codes(body) == ["FORBIDDEN"]
        return
    data = assert_no_errors(body)
    if query is CANDIDATES:
        left = data["duplicateCandidates"]["edges"][0]["node"]["left"]
        assert (left["givenName"], left["familyName"]) == ("O.", "G.")


async def test_an_unmerge_the_records_no_longer_allow_is_a_conflict_and_writes_nothing(
    gateway: Gateway, settings: Settings, tmp_path: Path
) -> None:
    # given: after the merge, the web identity was unlinked and linked anew by an import
    ids = await _arrange(gateway, settings, tmp_path)
    client = gateway.client
    assert_no_errors(
        await gql(client, MERGE, {"survivor": ids["oliver"], "merged": ids["oliver_web"]})
    )
    async with gateway.db.transaction() as session:
        await session.execute(
            delete(SourceLink).where(SourceLink.system == "webshop", SourceLink.external_id == "W2")
        )
        # (so that the new link cannot reuse the old row id, as SQLite would)
        session.add(SourceLink(customer_id=node_id(ids["jane"]), system="crm", external_id="X9"))
    await _import(gateway, settings, tmp_path, "webshop", WEBSHOP)
    before = await _customer(client, ids["oliver"])

    # when
    body = await gql(client, UNMERGE, {"id": ids["oliver_web"]})

    # then
    assert error_codes(body) == ["CONFLICT"]
    assert await _customer(client, ids["oliver"]) == before
    assert (await _customer(client, ids["oliver_web"]))["id"] == ids["oliver"]
