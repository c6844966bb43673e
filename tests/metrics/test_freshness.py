"""Mutations that change a metric's inputs recompute the customer's metrics (over HTTP)."""

from __future__ import annotations

from typing import Any

from tests.graphql_client import assert_no_errors, global_id, gql
from tests.privacy.people import record_consent
from tests.sources.conftest import linked_to_all

CHURN = """
query($id: ID!) { customer(id: $id) { metrics(names: ["churn_risk"]) { value details } } }
"""


def _reasons(metric: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in metric["details"]["reasons"]]


async def test_withdrawing_email_marketing_consent_recomputes_the_churn_risk(start_gateway, world):
    # given: a buyer whose churn risk was computed while subscribed to email marketing
    customer = global_id("Customer", linked_to_all(world)[0])
    async with start_gateway() as gateway:
        await record_consent(gateway.client, customer, "GRANTED", purpose="MARKETING")
        before = assert_no_errors(await gql(gateway.client, CHURN, {"id": customer}))

        # when
        await record_consent(gateway.client, customer, "WITHDRAWN", purpose="MARKETING")
        after = assert_no_errors(await gql(gateway.client, CHURN, {"id": customer}))

    # then: the risk went up, with "unsubscribed" among its reasons
    (subscribed,) = before["customer"]["metrics"]
    (unsubscribed,) = after["customer"]["metrics"]
    assert "unsubscribed" not in _reasons(subscribed)
    assert "unsubscribed" in _reasons(unsubscribed)
    assert unsubscribed["value"] > subscribed["value"]
