"""RELIABILITY 12 for personal data fetched from source systems (against the simulators)."""

from __future__ import annotations

from typing import Any

import pytest

from app.privacy.masking import mask_email
from app.privacy.principals import Purpose, Role
from tests.graphql_client import assert_no_errors, error_codes, global_id, gql
from tests.sources.conftest import SYSTEMS, linked_to_all

SOURCE_PII = """
query($id: ID!) {
  customer(id: $id) {
    crm { email }
    tickets { subject content }
    surveyResponses(first: 20) { edges { node { comment } } }
  }
}
"""
# The `@pii` fields SOURCE_PII reaches.
SOURCE_PII_FIELDS = {
    "CrmProfile.email",
    "Ticket.subject",
    "Ticket.content",
    "SurveyResponse.comment",
}
READERS = [
    (Role.STEWARD, Purpose.STEWARDSHIP),
    (Role.SUPPORT_AGENT, Purpose.SUPPORT),
    (Role.ANALYST, Purpose.ANALYTICS),
]


def _masked(raw: dict[str, Any]) -> dict[str, Any]:
    """What a role without PII access must see instead of `raw`."""

    def text(value: str | None) -> str | None:
        return "***" if value else value

    return {
        "crm": {"email": mask_email(raw["crm"]["email"])},
        "tickets": [
            {"subject": text(t["subject"]), "content": text(t["content"])} for t in raw["tickets"]
        ],
        "surveyResponses": {
            "edges": [
                {"node": {"comment": text(edge["node"]["comment"])}}
                for edge in raw["surveyResponses"]["edges"]
            ]
        },
    }


def _complete(customer: dict[str, Any]) -> bool:
    comments = [edge["node"]["comment"] for edge in customer["surveyResponses"]["edges"]]
    return bool(customer["crm"] and customer["tickets"] and any(comments))


@pytest.mark.parametrize(("role", "purpose"), READERS, ids=lambda value: str(value))
async def test_reliability_12_source_pii_is_raw_or_masked_by_role(
    start_gateway, world, role, purpose
):
    # given: a customer whose CRM email, tickets and survey comments all exist
    async with start_gateway() as gateway:
        for customer_id in linked_to_all(world):
            node = global_id("Customer", customer_id)
            raw = assert_no_errors(await gql(gateway.client, SOURCE_PII, {"id": node}))["customer"]
            if _complete(raw):
                break
        else:
            pytest.fail("the world has no customer with CRM email, tickets and survey comments")
        headers = await gateway.headers_for(role, purpose)

        # when
        body = await gql(gateway.client, SOURCE_PII, {"id": node}, headers=headers)

    # then
    seen = assert_no_errors(body)["customer"]
    assert seen == (_masked(raw) if role is Role.ANALYST else raw)


async def test_reliability_12_a_customer_sees_their_own_source_pii_raw(start_gateway, world):
    # given
    customer_id = linked_to_all(world)[0]
    node = global_id("Customer", customer_id)
    async with start_gateway() as gateway:
        raw = assert_no_errors(await gql(gateway.client, SOURCE_PII, {"id": node}))["customer"]
        headers = await gateway.headers_for(Role.CUSTOMER, Purpose.SELF_SERVICE, customer_id)

        # when
        body = await gql(gateway.client, SOURCE_PII, {"id": node}, headers=headers)

    # then
    assert assert_no_errors(body)["customer"] == raw


GATED_SOURCES = """
query($id: ID!) {
  customer(id: $id) { crm { email } orders(first: 5) { totalCount } tickets { subject } }
}
"""


async def test_reliability_14_without_consent_no_gated_source_call_is_made(start_gateway, world):
    # given: the personalization widget, and customers linked everywhere
    async with start_gateway() as gateway:
        headers = await gateway.headers_for(Role.PERSONALIZATION, Purpose.PERSONALIZATION)

        def upstream_requests() -> int:
            return sum(gateway.sources.requests(system) for system in SYSTEMS)

        # when: each customer read on its own, counting the upstream requests it made
        outcomes = []
        for customer_id in linked_to_all(world):
            before = upstream_requests()
            body = await gql(
                gateway.client,
                GATED_SOURCES,
                {"id": global_id("Customer", customer_id)},
                headers=headers,
            )
            outcomes.append((error_codes(body), body["data"], upstream_requests() - before))

    # then: each refused customer cost no upstream request at all
    refused = [outcome for outcome in outcomes if outcome[0] == ["CONSENT_REQUIRED"]]
    assert refused, "the world has no linked customer without a personalization grant"
    assert all(data == {"customer": None} and calls == 0 for _, data, calls in refused)
