"""Old values are personal data like current ones: each role sees them raw or masked by kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.graphql_client import assert_no_errors, gql
from tests.history.pii_fields import HISTORY_PII_FIELDS
from tests.history.test_write_paths import ADD_POINT, REMOVE_POINT, UPDATE
from tests.privacy.people import JANE_EMAIL, create_person, record_consent
from tests.privacy.test_pii_matrix import READERS

HISTORY_PII = """
query Old($id: ID!, $at: DateTime!) {
  customer(id: $id) {
    history(fields: ["familyName", "email"], first: 3) { edges { node { oldValue newValue } } }
    asOf(at: $at) {
      givenName middleName familyName birthDate loyaltyId
      emails { address } phones { number } addresses { formatted }
    }
  }
}
"""
RAW = {
    "history": [
        {"oldValue": "other@example.org", "newValue": None},
        {"oldValue": None, "newValue": "other@example.org"},
        {"oldValue": "Doe", "newValue": "Roe"},
    ],
    "asOf": {
        "givenName": "Jane",
        "middleName": "Q",
        "familyName": "Doe",
        "birthDate": "1980-02-03",
        "loyaltyId": "LOY-1001",
        "emails": [{"address": JANE_EMAIL}],
        "phones": [{"number": "+447911123456"}],
        "addresses": [{"formatted": "1 Acacia Avenue, Flat 2, LS1 4AP, Leeds, GB"}],
    },
}
MASKED = {
    "history": [
        {"oldValue": "o***@example.org", "newValue": None},
        {"oldValue": None, "newValue": "o***@example.org"},
        {"oldValue": "D.", "newValue": "R."},
    ],
    "asOf": {
        "givenName": "J.",
        "middleName": "Q.",
        "familyName": "D.",
        "birthDate": None,
        "loyaltyId": "***",
        "emails": [{"address": "j***@example.com"}],
        "phones": [{"number": "+44 *** *** 456"}],
        "addresses": [{"formatted": "***"}],
    },
}


def test_the_history_matrix_queries_every_history_pii_field():
    queried = {f"CustomerChange.{name}" for name in RAW["history"][0]}
    queried |= {f"CustomerAsOf.{name}" for name in RAW["asOf"] if name[0].islower()}
    assert HISTORY_PII_FIELDS <= queried


@pytest.mark.parametrize(("role", "purpose", "standard"), READERS, ids=lambda v: str(v)[:12])
async def test_each_role_sees_old_values_raw_or_masked_by_kind(
    client, client_for, role, purpose, standard
):
    # given: Jane as she was, then renamed Roe, and an email she had and removed
    jane = await create_person(client)
    await record_consent(client, jane.id, "GRANTED", evidence="form")
    at = datetime.now(UTC)
    update = {"id": jane.id, "version": jane.version, "familyName": "Roe"}
    assert_no_errors(await gql(client, UPDATE, {"input": update}))
    added = await gql(
        client,
        ADD_POINT,
        {"input": {"customerId": jane.id, "kind": "EMAIL", "value": "other@example.org"}},
    )
    emails = assert_no_errors(added)["addContactPoint"]["emails"]
    other = next(e for e in emails if e["address"] == "other@example.org")
    assert_no_errors(await gql(client, REMOVE_POINT, {"id": other["id"]}))
    reader = await client_for(role, purpose)

    # when
    body = await gql(reader, HISTORY_PII, {"id": jane.id, "at": at.isoformat()})

    # then: the same rule as for current values (the matrix of the current record)
    expected: dict[str, Any] = RAW if standard["givenName"] == "Jane" else MASKED
    found = assert_no_errors(body)["customer"]
    assert [e["node"] for e in found["history"]["edges"]] == expected["history"]
    assert found["asOf"] == expected["asOf"]
