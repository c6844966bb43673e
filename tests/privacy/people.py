"""The people privacy tests are about: customers created through GraphQL with every kind of PII."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.graphql_client import assert_no_errors, create_customer, gql, node_id

JANE_EMAIL = "jane.doe@example.com"
JANE_PHONE = "+447911123456"
JOHN_EMAIL = "john.roe@example.org"
JOHN_PHONE = "+447911123789"
EVIDENCE = "signed web form 2024-01-01"
SUMMARY = "Called about a late parcel to 1 Acacia Avenue"

RECORD_INTERACTION = """
mutation Note($input: RecordInteractionInput!) { recordInteraction(input: $input) { id } }
"""
RECORD_CONSENT = """
mutation Consent($input: RecordConsentInput!) { recordConsent(input: $input) { state } }
"""


@dataclass(frozen=True)
class Person:
    """A customer as the tests know it: its global id, store id and seeded PII."""

    id: str
    store_id: str
    version: int
    email: str
    phone: str


async def record_consent(
    client: httpx.AsyncClient,
    customer_id: str,
    status: str,
    purpose: str = "PERSONALIZATION",
    **extra: Any,
) -> None:
    """Append a consent decision (as the admin client) for `purpose` on email."""
    body = await gql(
        client,
        RECORD_CONSENT,
        {
            "input": {
                "customerId": customer_id,
                "purpose": purpose,
                "channel": "EMAIL",
                "status": status,
                **extra,
            }
        },
    )
    assert_no_errors(body)


async def create_person(
    client: httpx.AsyncClient,
    *,
    given: str = "Jane",
    family: str = "Doe",
    email: str = JANE_EMAIL,
    phone: str = JANE_PHONE,
    loyalty_id: str = "LOY-1001",
) -> Person:
    """Create a customer with every kind of personal data, an interaction and a consent entry."""
    created = await create_customer(
        client,
        givenName=given,
        middleName="Q",
        familyName=family,
        birthDate="1980-02-03",
        loyaltyId=loyalty_id,
        emails=[email],
        phones=[phone],
        addresses=[
            {
                "street": "1 Acacia Avenue",
                "addressLine2": "Flat 2",
                "city": "Leeds",
                "postcode": "LS1 4AP",
                "country": "GB",
            }
        ],
    )
    customer_id = created["id"]
    note = {"customerId": customer_id, "channel": "phone", "kind": "note", "summary": SUMMARY}
    assert_no_errors(await gql(client, RECORD_INTERACTION, {"input": note}))
    await record_consent(client, customer_id, "GRANTED", purpose="ANALYTICS", evidence=EVIDENCE)
    return Person(
        id=customer_id,
        store_id=node_id(customer_id),
        version=created["version"],
        email=email,
        phone=phone,
    )


async def create_john(client: httpx.AsyncClient) -> Person:
    """A second customer, for tests about reaching someone else's record."""
    return await create_person(
        client,
        given="John",
        family="Roe",
        email=JOHN_EMAIL,
        phone=JOHN_PHONE,
        loyalty_id="LOY-2002",
    )
