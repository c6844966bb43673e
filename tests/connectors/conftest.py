"""Connector fixtures: one small world, simulators in-process, tiny timeouts and backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import stamina.instrumentation
from stamina.instrumentation import RetryDetails
from starlette.applications import Starlette

from connectors.base import Connector
from connectors.config import ConnectorSettings
from connectors.registry import ConnectorsConfig, build_connector
from simulators import FaultSettings, create_simulator_app
from simulators.config import demo_config, demo_environment
from simulators.world import World, build_world

SYSTEMS = ("odoo", "hubspot", "surveymonkey", "zendesk")
TEST_BUDGET = 0.5


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(150, seed=7)


def fast_settings(system: str, **overrides: Any) -> ConnectorSettings:
    """The demo settings with timeouts and backoff small enough for a fast suite."""
    data = demo_config().connectors[system].model_dump()
    data.update(
        timeouts={"connect": 0.2, "read": TEST_BUDGET, "budget": TEST_BUDGET},
        retries={"attempts": 3, "wait_initial": 0.001, "wait_max": 0.01, "wait_jitter": 0.0},
        circuit={"failure_threshold": 3, "cooldown": 0.2},
        max_concurrency=5,
    )
    for key, value in overrides.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return ConnectorsConfig.model_validate({"connectors": {system: data}}).connectors[system]


ConnectorFactory = Callable[..., Connector]


@pytest.fixture
async def connect() -> AsyncIterator[ConnectorFactory]:
    """Build a connector over any transport (or app); closes them all after the test."""
    built: list[Connector] = []

    def factory(
        system: str,
        target: Starlette | httpx.AsyncBaseTransport,
        *,
        environ: dict[str, str] | None = None,
        **overrides: Any,
    ) -> Connector:
        transport = (
            target
            if isinstance(target, httpx.AsyncBaseTransport)
            else httpx.ASGITransport(app=target)
        )
        connector = build_connector(
            fast_settings(system, **overrides),
            environ=environ or demo_environment(),
            transport=transport,
        )
        built.append(connector)
        return connector

    yield factory
    for connector in built:
        await connector.aclose()


@pytest.fixture
def simulator(world: World) -> Callable[..., Starlette]:
    """A fresh simulator app (fresh fault state, fresh GDPR deletions)."""

    def make(
        system: str, faults: FaultSettings | None = None, token: str | None = None
    ) -> Starlette:
        return create_simulator_app(system, world, faults, token)

    return make


def first_ids(world: World, system: str, count: int) -> list[str]:
    """The first `count` external ids the crosswalk holds for `system`."""
    return [link.external_id for link in world.links if link.system == system][:count]


async def primary_call(connector: Connector, world: World) -> object:
    """The main batch read of each connector, for fault tests: one id, so one HTTP call."""
    system = connector.system
    ids = first_ids(world, system, 1)
    method = {
        "odoo": "fetch_partners",
        "hubspot": "fetch_contacts",
        "surveymonkey": "fetch_responses",
        "zendesk": "fetch_contacts",  # described by configuration only
    }[system]
    return await getattr(connector, method)(ids)


@pytest.fixture
def retry_waits() -> Iterator[list[float]]:
    """The wait before each retry stamina schedules (its public retry hook), in order."""
    waits: list[float] = []
    hooks = stamina.instrumentation.get_on_retry_hooks()

    def record(details: RetryDetails) -> None:
        waits.append(details.wait_for)

    stamina.instrumentation.set_on_retry_hooks([*hooks, record])
    yield waits
    stamina.instrumentation.set_on_retry_hooks(hooks)
