"""Adding a coded system touches its own folder and one registration (issue 11 item 1).

A webshop, a second ERP-kind system, is written here as its own folder would hold it: its
`mapping` model, its connector and its one `SystemType` description. The `webshop_registered`
fixture is its registration line. Nothing else in the gateway names it, yet its table is
validated at start-up against its model, and its orders reach `Customer.orders` and `sources`
through GraphQL over HTTP, beside the ERP's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.base import SourceHealth
from connectors.config import ConnectorConfigError, ConnectorSettings, MappingSettings
from connectors.health import probe
from connectors.http import SourceClient
from connectors.pooled import PooledConnector
from connectors.records import Capability, ConnectorKind, Order, SourceKind
from connectors.registry import CONNECTOR_TYPES, ConnectorsConfig, parse_connectors_config
from connectors.system_type import Secret, SystemType
from simulators.activity import erp_orders
from simulators.world import World
from tests.graphql_client import assert_no_errors, global_id, gql
from tests.sources.conftest import connectors_config, linked_to_all, private_copy

# ---- the webshop's folder: its mapping, its connector, its description ----


class WebshopMapping(MappingSettings):
    """Which shop of the account to read."""

    shop: str


class WebshopConnector(PooledConnector):
    """Orders from a webshop's JSON API: `GET /shops/{shop}/customers/{id}/orders`."""

    capabilities = frozenset({Capability.ORDERS})

    def __init__(
        self, system_type: SystemType, settings: ConnectorSettings, client: SourceClient
    ) -> None:
        assert isinstance(settings.mapping, WebshopMapping)
        super().__init__(system_type, settings, client)
        self.shop = settings.mapping.shop

    async def fetch_orders(self, customer_ids: Sequence[str]) -> dict[str, list[Order]]:
        async def read(customer_id: str) -> tuple[str, list[Order]]:
            body = await self.client.get(f"/shops/{self.shop}/customers/{customer_id}/orders")
            return customer_id, [self._order(customer_id, item) for item in body["orders"]]

        return dict(await asyncio.gather(*(read(i) for i in dict.fromkeys(customer_ids))))

    def _order(self, customer_id: str, item: dict[str, Any]) -> Order:
        total = Decimal(item["total"])
        return Order(
            system=self.system,
            external_id=str(item["id"]),
            customer_external_id=customer_id,
            number=item["number"],
            state="sale",
            ordered_at=datetime.fromisoformat(item["placed_at"]),
            currency="EUR",
            amount_untaxed=total,
            amount_tax=Decimal(0),
            amount_total=total,
            invoice_status=None,
            lines=(),
            updated_at=None,
        )

    async def health(self) -> SourceHealth:
        return await probe(self.system, lambda: self.client.get(f"/shops/{self.shop}"))


WEBSHOP = SystemType(
    name="webshop",
    kind=ConnectorKind.ERP,
    serves=(SourceKind.ERP_ORDERS,),
    mapping=WebshopMapping,
    connector=WebshopConnector,
    secret=Secret.BEARER,
)

# ---- its registration, and the shop it talks to ----


@pytest.fixture
def webshop_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CONNECTOR_TYPES, WEBSHOP.name, WEBSHOP)


@pytest.fixture
def seeded_url(seeded_url: str, tmp_path: Path) -> str:
    """A private copy of the seeded store: the test links an identity in it."""
    return private_copy(seeded_url, tmp_path)


SHOP_TOKEN = "shop-secret"
SHOP_CUSTOMER = "7"
SHOP_ORDERS = [
    {"id": 501, "number": "WEB-501", "total": "19.90", "placed_at": "2026-11-02T10:00:00+00:00"},
    {"id": 502, "number": "WEB-502", "total": "5.00", "placed_at": "2021-03-04T09:30:00+00:00"},
]


def shop_api(calls: list[httpx.Request]) -> httpx.MockTransport:
    """One customer's orders, for a caller with the shop's token."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.headers.get("Authorization") != f"Bearer {SHOP_TOKEN}":
            return httpx.Response(401, json={"error": "unauthorized"})
        if request.url.path == f"/shops/eu/customers/{SHOP_CUSTOMER}/orders":
            return httpx.Response(200, json={"orders": SHOP_ORDERS})
        return httpx.Response(404, json={"error": "not found"})

    return httpx.MockTransport(handler)


WEBSHOP_TABLE = {
    "type": "webshop",
    "base_url": "https://shop.example",
    "token_env": "C360_WEBSHOP_TOKEN",
    "mapping": {"shop": "eu"},
}
ORDERS = """
query Orders($id: ID!) {
  customer(id: $id) {
    orders(first: 100) { edges { node { system number orderedAt } } }
    sources { system status }
  }
}
"""
LINK = """
mutation Link($input: LinkSourceIdentityInput!) {
  linkSourceIdentity(input: $input) { id }
}
"""


def _with_erp_orders(world: World) -> str:
    """A customer linked to every demo system who has orders in the ERP."""
    return next(
        customer_id
        for customer_id in linked_to_all(world)
        if erp_orders(world, world.person_by_customer_id(customer_id))
    )


async def test_a_registered_coded_system_serves_its_orders_beside_the_erps(
    webshop_registered, start_gateway, world
):
    # given: the demo's systems plus a webshop, and a customer linked to its shop customer
    tables = connectors_config().model_dump(mode="json")["connectors"]
    config = ConnectorsConfig.model_validate({"connectors": {**tables, "webshop": WEBSHOP_TABLE}})
    calls: list[httpx.Request] = []
    customer_id = _with_erp_orders(world)
    node_id = global_id("Customer", customer_id)
    async with start_gateway(
        config=config,
        transports={"webshop": shop_api(calls)},
        environ={"C360_WEBSHOP_TOKEN": SHOP_TOKEN},
    ) as gateway:
        link = {"customerId": node_id, "system": "webshop", "externalId": SHOP_CUSTOMER}
        assert_no_errors(await gql(gateway.client, LINK, {"input": link}))

        # when
        body = await gql(gateway.client, ORDERS, {"id": node_id})

    # then: the webshop's orders beside the ERP's, newest first, each naming its system
    customer = assert_no_errors(body)["customer"]
    orders = [edge["node"] for edge in customer["orders"]["edges"]]
    assert [o["number"] for o in orders if o["system"] == "webshop"] == ["WEB-501", "WEB-502"]
    assert {o["system"] for o in orders} == {"odoo", "webshop"}
    placed = [datetime.fromisoformat(o["orderedAt"]) for o in orders]
    assert placed == sorted(placed, reverse=True)
    assert {s["system"]: s["status"] for s in customer["sources"]}["webshop"] == "OK"
    assert {call.url.path for call in calls} == {"/shops/eu/customers/7/orders"}


WEBSHOP_FILE = """
[connectors.webshop]
base_url = "https://shop.example"
token_env = "C360_WEBSHOP_TOKEN"
"""


def test_an_unregistered_type_is_refused_at_start_up() -> None:
    with pytest.raises(ConnectorConfigError, match="connectors.webshop.type: unknown type"):
        parse_connectors_config(WEBSHOP_FILE + '[connectors.webshop.mapping]\nshop = "eu"\n')


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param("", "connectors.webshop.mapping.shop: Field required", id="no-mapping"),
        pytest.param(
            '[connectors.webshop.mapping]\nshop = "eu"\naisle = 3\n',
            "connectors.webshop.mapping.aisle: Extra inputs",
            id="unknown-mapping-key",
        ),
        pytest.param(
            'kind = "crm"\n', "connectors.webshop.kind: a webshop system is a erp", id="kind"
        ),
    ],
)
def test_a_registered_type_checks_its_tables_against_its_description(
    webshop_registered, extra: str, expected: str
) -> None:
    with pytest.raises(ConnectorConfigError, match=expected):
        parse_connectors_config(WEBSHOP_FILE + extra)
    config = parse_connectors_config(WEBSHOP_FILE + '[connectors.webshop.mapping]\nshop = "eu"\n')
    assert config.connectors["webshop"].kind is ConnectorKind.ERP
    assert config.connectors["webshop"].mapping == WebshopMapping(shop="eu")
