"""`dataQuality` KPIs and `Customer.quality`, through GraphQL, against hand-made data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.privacy.principals import Purpose, Role
from app.store.models import ContactPoint, MatchCandidate
from app.store.types import utcnow
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.schema.rows import insert_customers, merge_into
from tests.schema.test_batching import counting_statements

DATA_QUALITY = """
{ dataQuality {
    customers pendingCandidates
    duplicateRate { count total share }
    completeness { field present { count total share } }
    validEmails { count total share }
    validPhones { count total share }
    notVerifiedIn12Months { count total share }
} }
"""
QUALITY = """
query($id: ID!) { customer(id: $id) { quality {
  completeness missingFields invalidFields suspectedDuplicates lastVerifiedAt
  verifiedInLast12Months
} } }
"""
PAGE = """
{ customers(first: 50) { edges { node { id quality { completeness suspectedDuplicates } } } } }
"""


@pytest.fixture
async def store(db):
    """Jane complete and verified; John with bad contacts, verified long ago; Roe bare;
    a tombstone merged into Jane; Jane-John pending review, John-Roe already decided."""
    from datetime import date

    now = utcnow()
    jane, john, roe, ghost = await insert_customers(
        db,
        {
            "given_name": "Jane",
            "family_name": "Doe",
            "birth_date": date(1980, 1, 1),
            "verified_at": now - timedelta(days=10),
        },
        {"given_name": "John", "family_name": "", "verified_at": now - timedelta(days=800)},
        {"family_name": "Roe"},
        {"given_name": "Ghost", "family_name": "Doe"},
    )
    async with db.transaction() as session:
        session.add_all(
            [
                ContactPoint(customer_id=jane, kind="email", value="jane@example.com"),
                ContactPoint(customer_id=jane, kind="phone", value="+447911123456"),
                ContactPoint(
                    customer_id=jane, kind="address", value="1 Park Row, Leeds", city="Leeds"
                ),
                ContactPoint(customer_id=john, kind="email", value="not-an-email"),
                ContactPoint(customer_id=john, kind="phone", value="07911 12"),
                ContactPoint(customer_id=ghost, kind="email", value="bad address@x"),
                MatchCandidate(left_id=jane, right_id=john, score=0.7),
                MatchCandidate(left_id=john, right_id=roe, score=0.5, status="not_match"),
            ]
        )
    await merge_into(db, loser=ghost, survivor=jane)
    return {"jane": jane, "john": john, "roe": roe}


async def test_kpis_count_live_customers_only(client, store):
    # when
    body = assert_no_errors(await gql(client, DATA_QUALITY))["dataQuality"]
    # then
    assert body["customers"] == 3
    assert body["pendingCandidates"] == 1
    assert body["duplicateRate"] == {"count": 2, "total": 3, "share": 0.6667}
    completeness = {c["field"]: c["present"]["count"] for c in body["completeness"]}
    assert completeness == {
        "givenName": 2,
        "familyName": 2,
        "birthDate": 1,
        "email": 2,
        "phone": 2,
        "address": 1,
    }
    assert body["validEmails"] == {"count": 1, "total": 2, "share": 0.5}
    assert body["validPhones"] == {"count": 1, "total": 2, "share": 0.5}
    assert body["notVerifiedIn12Months"] == {"count": 2, "total": 3, "share": 0.6667}


async def test_kpis_of_an_empty_store_are_zero(client):
    body = assert_no_errors(await gql(client, DATA_QUALITY))["dataQuality"]
    assert body["customers"] == 0
    assert body["duplicateRate"]["share"] == 0.0


@pytest.mark.parametrize(
    ("role", "purpose", "allowed"),
    [
        (Role.STEWARD, Purpose.STEWARDSHIP, True),
        (Role.ANALYST, Purpose.ANALYTICS, True),
        (Role.SUPPORT_AGENT, Purpose.SUPPORT, False),
        (Role.PERSONALIZATION, Purpose.PERSONALIZATION, False),
    ],
)
async def test_kpis_are_for_stewards_analysts_and_admins(client_for, store, role, purpose, allowed):
    caller = await client_for(role, purpose)
    body = await gql(caller, DATA_QUALITY)
    if allowed:
        assert assert_no_errors(body)["dataQuality"]["customers"] == 3
    else:
        assert error_codes(body) == ["FORBIDDEN"]


async def test_customer_quality_of_a_complete_record(client, store):
    body = await gql(client, QUALITY, {"id": global_id("Customer", store["jane"])})
    quality = assert_no_errors(body)["customer"]["quality"]
    assert quality["completeness"] == 1.0
    assert quality["missingFields"] == []
    assert quality["invalidFields"] == []
    assert quality["suspectedDuplicates"] == 1
    assert quality["verifiedInLast12Months"] is True


async def test_customer_quality_names_what_is_missing_and_invalid(client, store):
    body = await gql(client, QUALITY, {"id": global_id("Customer", store["john"])})
    quality = assert_no_errors(body)["customer"]["quality"]
    assert quality["completeness"] == 0.5
    assert quality["missingFields"] == ["familyName", "birthDate", "address"]
    assert quality["invalidFields"] == ["email", "phone"]
    assert quality["suspectedDuplicates"] == 1  # the decided John-Roe pair no longer counts
    assert quality["verifiedInLast12Months"] is False
    assert quality["lastVerifiedAt"] is not None


async def test_customer_quality_is_batched_per_page(gateway, client, db):
    # given
    await insert_customers(db, *({"given_name": f"P{i}"} for i in range(30)))
    # when
    with counting_statements() as statements:
        body = await gql(client, PAGE)
    # then
    edges = assert_no_errors(body)["customers"]["edges"]
    assert len(edges) == 30
    assert all(e["node"]["quality"]["completeness"] == round(1 / 6, 4) for e in edges)
    quality_reads = [s for s in statements if "match_candidate" in s or "GROUP BY" in s]
    assert len(quality_reads) == 2
