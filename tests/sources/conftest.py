"""Source fixtures: a store seeded from a small world, its simulators in-process, a gateway."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from app.graph import CustomerGraph
from app.privacy.principals import Purpose, Role
from app.settings import Settings
from app.store.db import Database
from app.store.migrate import upgrade
from composition.asgi import create_app
from connectors.config_toml import dump_connectors_config
from connectors.registry import ConnectorsConfig
from simulators import FaultSettings, create_simulator_app
from simulators.config import demo_config, demo_environment
from simulators.seeding import seed
from simulators.world import World, build_world
from tests.conftest import BASE_URL, LIFESPAN_LIMITS, Gateway

SYSTEMS = ("odoo", "hubspot", "surveymonkey", "zendesk")
WORLD_SIZE = 60
WORLD_SEED = 11
# Four systems, Zendesk comments a call per ticket, on two cores shared with the rest of the
# suite: a budget that only a stalled source exhausts.
FAST_BUDGET = 5.0


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(WORLD_SIZE, WORLD_SEED)


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store seeded with the same world the simulators serve (read-mostly)."""
    return seeded_store(tmp_path_factory.mktemp("sources") / "c360.db")


def seeded_store(path: Path) -> str:
    """A migrated SQLite store at `path` holding the world the simulators serve; its URL."""
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)

    async def write() -> None:
        db = Database(url)
        try:
            await seed(db, customers=WORLD_SIZE, seed_value=WORLD_SEED)
        finally:
            await db.dispose()

    asyncio.run(write())
    return url


def private_copy(seeded_url: str, directory: Path) -> str:
    """A copy of the seeded store in `directory`, for a test that writes; its URL."""
    source = Path(seeded_url.removeprefix("sqlite+aiosqlite:///"))
    copy = directory / "private.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{copy}{suffix}")
    return f"sqlite+aiosqlite:///{copy}"


def linked_to_all(world: World, systems: tuple[str, ...] = SYSTEMS) -> list[str]:
    """Customer ids linked to every one of `systems` (by default the ERP, the CRM, the survey
    tool and the support desk)."""
    linked: dict[str, set[str]] = {}
    for link in world.links:
        linked.setdefault(link.customer_id, set()).add(link.system)
    return [c for c, found in linked.items() if found >= set(systems)]


def connectors_config(
    *, budget: float = FAST_BUDGET, ttl: float = 60.0, stale: float = 600.0, **overrides: Any
) -> ConnectorsConfig:
    """The demo config with small budgets and fast retries, for a fast suite."""
    tables = {}
    for system, settings in demo_config().connectors.items():
        data = settings.model_dump(mode="json")
        data.update(
            timeouts={"connect": min(0.2, budget), "read": budget, "budget": budget},
            retries={"attempts": 2, "wait_initial": 0.001, "wait_max": 0.01, "wait_jitter": 0.0},
            circuit={"failure_threshold": 50, "cooldown": 0.2},
            cache={"ttl": ttl, "stale_if_error": stale},
        )
        data.update(overrides.get(system, {}))
        tables[system] = data
    return ConnectorsConfig.model_validate({"connectors": tables})


@dataclass
class Sources:
    """The simulators (one app per system) and the transports the gateway reaches them by."""

    apps: dict[str, Starlette]
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for system, app in self.apps.items():
            self.transports.setdefault(system, httpx.ASGITransport(app=app))

    def requests(self, system: str) -> int:
        """Requests that reached `system`'s simulator so far."""
        return int(self.apps[system].state.gate.requests)

    def break_(self, system: str, faults: FaultSettings) -> None:
        """Change `system`'s faults from the next request on."""
        self.apps[system].state.faults.set(faults)


@pytest.fixture
def sources(world: World) -> Sources:
    return Sources({system: create_simulator_app(system, world) for system in SYSTEMS})


@dataclass(frozen=True)
class SourceGateway(Gateway):
    """The gateway with its sources."""

    sources: Sources

    @property
    def graph(self) -> CustomerGraph:
        return self.app.state.graph


GatewayFactory = Callable[..., Any]


@pytest.fixture
def start_gateway(seeded_url: str, sources: Sources, tmp_path: Path) -> Callable[..., Any]:
    """`async with start_gateway(config=..., transports=..., environ=..., cache_url=...) as gw:`
    (`environ`: variables added to the demo tokens', e.g. webhook secrets)."""

    @asynccontextmanager
    async def start(
        *,
        config: ConnectorsConfig | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        environ: Mapping[str, str] | None = None,
        with_connectors: bool = True,
        **settings_overrides: Any,
    ) -> AsyncIterator[SourceGateway]:
        connectors_file = None
        if with_connectors:
            connectors_file = tmp_path / "connectors.toml"
            connectors_file.write_text(dump_connectors_config(config or connectors_config()))
        settings = Settings(
            database_url=seeded_url,
            log_json=False,
            connectors_file=connectors_file,
            **settings_overrides,
        )
        app = create_app(
            settings,
            source_transports={**sources.transports, **(transports or {})},
            source_environ={**demo_environment(), **(environ or {})},
        )
        async with LifespanManager(app, **LIFESPAN_LIMITS) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                gateway = SourceGateway(app=app, client=client, sources=sources)
                client.headers.update(await gateway.headers_for(Role.ADMIN, Purpose.SUPPORT))
                yield gateway

    return start
