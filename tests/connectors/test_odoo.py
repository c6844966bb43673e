"""Odoo connector against its simulator; simulator against Odoo's documented JSON-RPC shapes."""

from __future__ import annotations

import httpx

from connectors.records import PaymentTerms
from simulators.config import DEMO_TOKENS
from simulators.odoo_app import API_UID, DATABASE
from tests.connectors.conftest import first_ids
from tests.connectors.test_hubspot import assert_same_shape

# Hand-copied shapes from Odoo's external API documentation (JSON-RPC 2.0 over /jsonrpc).
DOCUMENTED_RESULT = {"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "Azure Interior"}]}
DOCUMENTED_ERROR = {
    "jsonrpc": "2.0",
    "id": 1,
    "error": {
        "code": 200,
        "message": "Odoo Server Error",
        "data": {
            "name": "odoo.exceptions.AccessDenied",
            "debug": "",
            "message": "",
            "arguments": [],
            "context": {},
        },
    },
}


def rpc(service: str, method: str, *args: object) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": list(args)},
        "id": 1,
    }


async def test_simulator_speaks_documented_json_rpc(simulator, world) -> None:
    partner = int(first_ids(world, "odoo", 1)[0])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulator("odoo")), base_url="http://odoo"
    ) as c:
        uid = (
            await c.post(
                "/jsonrpc",
                json=rpc("common", "authenticate", DATABASE, "api", DEMO_TOKENS["odoo"], {}),
            )
        ).json()
        ok = await c.post(
            "/jsonrpc",
            json=rpc(
                "object",
                "execute_kw",
                DATABASE,
                API_UID,
                DEMO_TOKENS["odoo"],
                "res.partner",
                "search_read",
                [[["id", "=", partner]]],
                {"fields": ["name"]},
            ),
        )
        denied = await c.post(
            "/jsonrpc",
            json=rpc(
                "object",
                "execute_kw",
                DATABASE,
                API_UID,
                "wrong",
                "res.partner",
                "search_read",
                [[]],
            ),
        )
    assert uid["result"] == API_UID
    assert_same_shape(ok.json(), DOCUMENTED_RESULT)
    assert denied.status_code == 200  # Odoo reports errors inside the envelope
    assert_same_shape(denied.json(), DOCUMENTED_ERROR)


async def test_partners_with_addresses_and_payment_terms(simulator, connect, world) -> None:
    connector = connect("odoo", simulator("odoo"))
    ids = first_ids(world, "odoo", 40)
    partners = await connector.fetch_partners([*ids, "7", "abc"])
    assert set(partners) == set(ids)
    kinds = {a.kind for p in partners.values() for a in p.addresses}
    assert {"home", "billing"} <= kinds
    assert {p.payment_terms for p in partners.values()} >= {PaymentTerms.PREPAY}
    assert any(p.is_company and p.contact_name for p in partners.values())


async def test_orders_with_lines_products_and_categories(simulator, connect, world) -> None:
    connector = connect("odoo", simulator("odoo"))
    ids = first_ids(world, "odoo", 10)
    orders = await connector.fetch_orders(ids)
    assert orders
    for customer_orders in orders.values():
        dates = [o.ordered_at for o in customer_orders]
        assert dates == sorted(dates, reverse=True)
        for order in customer_orders:
            assert order.lines
            assert all(
                line.product.category and line.product.category.startswith("All /")
                for line in order.lines
            )
            assert order.amount_untaxed == sum(line.subtotal for line in order.lines)


async def test_invoices_with_amount_due(simulator, connect, world) -> None:
    connector = connect("odoo", simulator("odoo"))
    invoices = await connector.fetch_invoices(first_ids(world, "odoo", 30))
    flat = [i for items in invoices.values() for i in items]
    assert flat and all(0 <= i.amount_due <= i.amount_total for i in flat)
    assert {i.payment_state for i in flat} & {"paid"}


async def test_iter_changes_and_health(simulator, connect, world) -> None:
    from connectors.errors import SourceStatus

    connector = connect("odoo", simulator("odoo"))
    since = world.now.replace(year=world.now.year - 1)
    changes = [c async for c in connector.iter_changes(since)]
    assert changes and all(c.changed_at and c.changed_at >= since for c in changes)
    assert (await connector.health()).status is SourceStatus.OK
