"""Admission control: past the in-flight limit and the queue, 503 OVERLOADED at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

import schema.customers.queries
from tests.conftest import Gateway, running_gateway
from tests.graphql_client import GRAPHQL_RESPONSE, assert_no_errors, error_codes

CUSTOMERS = {"query": "{ customers { totalCount } }"}


class Gate:
    """Holds every `customers` query inside its resolver until opened."""

    def __init__(self, monkeypatch: Any) -> None:
        self.inside = 0
        self.entered = asyncio.Condition()
        self.opened = asyncio.Event()
        real = schema.customers.queries.list_customers

        async def held(*args: Any, **kwargs: Any) -> Any:
            async with self.entered:
                self.inside += 1
                self.entered.notify_all()
            await self.opened.wait()
            return await real(*args, **kwargs)

        monkeypatch.setattr(schema.customers.queries, "list_customers", held)

    async def until_inside(self, count: int) -> None:
        async with self.entered:
            await asyncio.wait_for(self.entered.wait_for(lambda: self.inside >= count), 5)


async def metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    """A sample's value from `/metrics` (0 when the series does not exist yet)."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


@asynccontextmanager
async def saturated(
    settings: Any, monkeypatch: Any, **limits: Any
) -> AsyncIterator[tuple[Gateway, Gate, list[asyncio.Task[httpx.Response]]]]:
    """A gateway with every slot taken by a `customers` query held at the gate."""
    gate = Gate(monkeypatch)
    async with running_gateway(settings.model_copy(update=limits)) as gateway:
        held = [
            asyncio.create_task(gateway.client.post("/graphql", json=CUSTOMERS))
            for _ in range(limits["max_in_flight"])
        ]
        await gate.until_inside(limits["max_in_flight"])
        try:
            yield gateway, gate, held
        finally:
            gate.opened.set()
            await asyncio.gather(*held)


async def test_past_the_limit_a_request_is_refused_at_once_with_503_overloaded(
    settings, monkeypatch
):
    limits = {"max_in_flight": 2, "admission_queue_size": 0}
    async with saturated(settings, monkeypatch, **limits) as (gateway, gate, held):
        refusals = await metric(
            gateway.client, "c360_admission_refusals_total", reason="queue_full"
        )
        in_flight = await metric(gateway.client, "c360_requests_in_flight")
        # when: one more request, whose body is not even JSON (it is never read)
        refused = await gateway.client.post(
            "/graphql",
            content=b"{not json",
            headers={"content-type": "application/json", "accept": GRAPHQL_RESPONSE},
        )
        refusals_after = await metric(
            gateway.client, "c360_admission_refusals_total", reason="queue_full"
        )
        gate.opened.set()
        answered = await asyncio.gather(*held)
        after = await gateway.client.post("/graphql", json=CUSTOMERS)

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert error_codes(refused.json()) == ["OVERLOADED"]
    assert "data" not in refused.json()
    assert refusals_after == refusals + 1
    assert in_flight == 2
    # the held requests were served, and the slots were given back
    assert [response.status_code for response in answered] == [200, 200]
    assert assert_no_errors(after.json()) == {"customers": {"totalCount": 0}}


async def test_a_queued_request_is_served_when_a_slot_frees(settings, monkeypatch):
    limits = {"max_in_flight": 1, "admission_queue_size": 1, "admission_queue_wait_seconds": 30}
    async with saturated(settings, monkeypatch, **limits) as (gateway, gate, _held):
        # given: one request waits in the queue
        queued = asyncio.create_task(gateway.client.post("/graphql", json=CUSTOMERS))
        while await metric(gateway.client, "c360_requests_queued") < 1:
            await asyncio.sleep(0.01)
        # when: the queue is full too, then the slot frees
        refused = await gateway.client.post("/graphql", json=CUSTOMERS)
        gate.opened.set()
        served = await queued

    assert refused.status_code == 503
    assert error_codes(refused.json()) == ["OVERLOADED"]
    assert served.status_code == 200
    assert assert_no_errors(served.json()) == {"customers": {"totalCount": 0}}


async def test_a_request_that_waits_too_long_for_a_slot_is_refused(settings, monkeypatch):
    limits = {"max_in_flight": 1, "admission_queue_size": 5, "admission_queue_wait_seconds": 0.05}
    async with saturated(settings, monkeypatch, **limits) as (gateway, _gate, _held):
        before = await metric(gateway.client, "c360_admission_refusals_total", reason="queue_wait")
        # when
        refused = await gateway.client.post("/graphql", json=CUSTOMERS)
        after = await metric(gateway.client, "c360_admission_refusals_total", reason="queue_wait")

    assert refused.status_code == 503
    assert error_codes(refused.json()) == ["OVERLOADED"]
    assert after == before + 1


async def test_probes_and_metrics_are_never_refused(settings, monkeypatch):
    limits = {"max_in_flight": 1, "admission_queue_size": 0}
    async with saturated(settings, monkeypatch, **limits) as (gateway, _gate, _held):
        # when: every slot is taken and there is no queue
        answers = {
            path: await gateway.client.get(path) for path in ("/healthz", "/readyz", "/metrics")
        }
        graphql = await gateway.client.post("/graphql", json=CUSTOMERS)

    assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(answers, 200)
    assert graphql.status_code == 503
