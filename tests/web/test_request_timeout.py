"""The request time limit (`C360_REQUEST_TIMEOUT_SECONDS`): a slow operation gets 504, quickly."""

from __future__ import annotations

import asyncio
import time

import schema.customers.queries
from tests.conftest import running_gateway
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors, error_codes

CUSTOMERS = "{ customers { totalCount } }"


async def test_an_operation_over_the_time_limit_is_504_within_the_limit(settings, monkeypatch):
    # given: listing customers stalls far longer than the limit
    async def stalled(*_args, **_kwargs):
        await asyncio.sleep(30)

    monkeypatch.setattr(schema.customers.queries, "list_customers", stalled)
    limits = {"request_timeout_seconds": 0.2}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        started = time.perf_counter()
        response = await gateway.client.post(
            "/graphql", json={"query": CUSTOMERS}, headers={"accept": GRAPHQL_RESPONSE}
        )
        elapsed = time.perf_counter() - started
        # then: the app still answers afterwards
        after = await gateway.client.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 504
    assert error_codes(response.json()) == ["TIMEOUT"]
    assert "data" not in response.json()
    assert elapsed < 2.0
    assert assert_no_errors(after.json()) == {"__typename": "Query"}


async def test_an_operation_within_the_time_limit_answers(settings):
    # given
    limits = {"request_timeout_seconds": 5.0}
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        # when
        response = await gateway.client.post("/graphql", json={"query": CUSTOMERS})

    # then
    assert response.status_code == 200
    assert assert_no_errors(response.json()) == {"customers": {"totalCount": 0}}
