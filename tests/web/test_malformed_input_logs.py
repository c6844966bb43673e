"""A client's malformed input is logged as the client's mistake: INFO, its code, no values."""

from __future__ import annotations

import orjson
import pytest

from tests.graphql_client import error_codes, gql
from tests.privacy.people import JANE_EMAIL, JANE_PHONE, create_person

NATIONAL_DIGITS = JANE_PHONE.removeprefix("+44")


def malformed_operations(value: str, digits: str) -> list[tuple[str, dict[str, object]]]:
    """Operations giving each argument type (as a variable and as a literal) a value it
    cannot take, where that value is a customer's email or phone (`digits`: its phone's)."""
    email = phone = value
    return [
        # ID
        ("query($id: ID!) { customer(id: $id) { id } }", {"id": email}),
        (f'{{ customer(id: "{email}") {{ id }} }}', {}),
        ("query($id: ID!) { customer(id: $id) { id } }", {"id": {"email": email}}),
        # Int
        ("query($n: Int) { customers(first: $n) { totalCount } }", {"n": email}),
        (f'{{ customers(first: "{phone}") {{ totalCount }} }}', {}),
        ("query($n: Int) { customers(first: $n) { totalCount } }", {"n": int(digits)}),
        (f"{{ customers(first: {digits}) {{ totalCount }} }}", {}),
        # Float
        ("query($s: Float!) { duplicateCandidates(minScore: $s) { totalCount } }", {"s": phone}),
        # Boolean
        ("query($b: Boolean!) { __typename @include(if: $b) }", {"b": email}),
        # String: a malformed cursor and a search too short to mean anything
        ("query($a: String) { customers(after: $a) { totalCount } }", {"a": email}),
        (f'{{ customers(after: "{phone}") {{ totalCount }} }}', {}),
        # enums, in and out of input objects
        (
            "query($o: CustomerOrder) { customers(orderBy: $o) { totalCount } }",
            {"o": {"field": email}},
        ),
        (
            f"{{ customers(filter: {{lifecycleStage: {email.split('@')[0]}}}) {{ totalCount }} }}",
            {},
        ),
        # Date, DateTime
        (
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
            {"i": {"birthDate": phone, "emails": [email]}},
        ),
        (
            "query($f: CustomerFilter) { customers(filter: $f) { totalCount } }",
            {"f": {"updatedSince": email}},
        ),
        # input objects: unknown fields, wrong shapes
        (
            "query($f: CustomerFilter) { customers(filter: $f) { totalCount } }",
            {"f": {"mail": email, "phone": [phone]}},
        ),
        (
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
            {"i": email},
        ),
        (f'{{ customers(filter: {{mail: "{email}"}}) {{ totalCount }} }}', {}),
        # lists
        (
            "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }",
            {"i": {"phones": [[phone]], "emails": email}},
        ),
        # _Any (federation representations)
        (
            "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
            {"r": [email, {"__typename": "Customer", "id": phone}, {"email": email}]},
        ),
        # last: a variable the operation does not declare (ignored, but must not be logged)
        ("query { __typename }", {"unused": email}),
    ]


@pytest.mark.parametrize("seeded", ["email", "phone"])
async def test_malformed_input_carrying_personal_data_is_logged_without_it(
    client, all_logs, seeded
):
    # given: a customer whose email and phone a client then sends in the wrong places
    person = await create_person(client)
    value = person.email if seeded == "email" else person.phone
    operations = malformed_operations(value, person.phone.removeprefix("+"))

    # when
    codes = [error_codes(await gql(client, query, variables)) for query, variables in operations]
    lines = [orjson.loads(line) for line in all_logs().splitlines() if line.startswith("{")]

    # then: every operation was refused as the client's mistake ...
    assert not [
        (i, found) for i, found in enumerate(codes[:-1]) if not found or "INTERNAL" in found
    ]
    # ... and logged as such: at INFO, with the code, without values or tracebacks
    refused = [line for line in lines if line["event"] == "operation refused"]
    assert refused and {line["level"] for line in refused} == {"info"}
    assert not [line for line in lines if line["level"] in ("error", "warning")]
    text = "\n".join(orjson.dumps(line).decode() for line in lines)
    for personal in (JANE_EMAIL, JANE_PHONE, NATIONAL_DIGITS, JANE_EMAIL.split("@")[0]):
        assert personal not in text
    assert "Traceback" not in text
