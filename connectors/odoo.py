"""Odoo ERP connector: customers, orders and invoices over the external JSON-RPC API.

Every call is `POST /jsonrpc` with `service: object, method: execute_kw` and the database,
user id and API key in `args` (Odoo authenticates in the body, not in a header). Reads are
idempotent POSTs and may be retried. The one write is erasure: an anonymising `write` that
archives the partner and its contacts (orders and invoices stay, as accounting law requires,
but no longer name the person); it sets fixed values, so repeating it is harmless. Odoo reports
errors inside
the JSON-RPC envelope with HTTP 200: `odoo.exceptions.AccessDenied` becomes
`UnauthorizedError`, other server errors `RequestRejectedError`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from connectors.base import SourceHealth
from connectors.config import ConnectorSettings, OdooMapping
from connectors.errors import (
    BadResponseError,
    RequestRejectedError,
    SourceDownError,
    UnauthorizedError,
)
from connectors.fanout import chunked, gather_or_raise
from connectors.health import probe
from connectors.http import SourceClient
from connectors.pooled import PooledConnector
from connectors.records import (
    Capability,
    ConnectorKind,
    ErpPartner,
    Invoice,
    Order,
    OrderLine,
    PaymentTerms,
    PostalAddress,
    ProductRef,
    SourceChange,
    SourceKind,
)
from connectors.wire import (
    as_dict,
    as_list,
    expect_shape,
    integer,
    iso_date,
    many2one,
    money,
    odoo_datetime,
    text,
)

PARTNER_FIELDS = [
    "id",
    "name",
    "is_company",
    "type",
    "parent_id",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_code",
    "lang",
    "ref",
    "property_payment_term_id",
    "customer_rank",
    "create_date",
    "write_date",
]
ORDER_FIELDS = [
    "id",
    "name",
    "partner_id",
    "date_order",
    "state",
    "currency_id",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "invoice_status",
    "order_line",
    "write_date",
    "source_id",
    "campaign_id",
]
LINE_FIELDS = [
    "id",
    "order_id",
    "product_id",
    "name",
    "product_uom_qty",
    "price_unit",
    "discount",
    "price_subtotal",
    "price_total",
]
PRODUCT_FIELDS = ["id", "name", "default_code", "categ_id"]
MOVE_FIELDS = [
    "id",
    "name",
    "move_type",
    "state",
    "payment_state",
    "partner_id",
    "invoice_date",
    "invoice_date_due",
    "amount_total",
    "amount_residual",
    "currency_id",
    "invoice_origin",
    "write_date",
]
_ACCESS_ERRORS = (
    "odoo.exceptions.AccessDenied",
    "odoo.exceptions.AccessError",
    "odoo.http.SessionExpiredException",
)
_ADDRESS_KINDS = {"invoice": "billing", "delivery": "shipping"}
Record = dict[str, Any]


def _int_ids(ids: Sequence[str]) -> list[int]:
    """Odoo ids from external ids; anything that is not an id simply cannot match."""
    return sorted({int(i) for i in ids if i.isdigit()})


class OdooConnector(PooledConnector):
    """ERP connector for Odoo's external JSON-RPC API."""

    system = "odoo"  # the type's default name; a configured system has its own
    serves = (SourceKind.ERP_PARTNER, SourceKind.ERP_ORDERS, SourceKind.ERP_INVOICES)
    kind = ConnectorKind.ERP
    capabilities = frozenset(
        {
            Capability.PROFILES,
            Capability.ORDERS,
            Capability.INVOICES,
            Capability.CHANGES,
            Capability.ERASURE,
        }
    )

    bearer_auth = False  # Odoo authenticates with the API key inside each JSON-RPC body

    def __init__(self, settings: ConnectorSettings, client: SourceClient) -> None:
        if not isinstance(settings.mapping, OdooMapping):
            raise TypeError("OdooConnector needs an odoo mapping")
        super().__init__(settings, client)
        self.mapping = settings.mapping
        self._api_key = ""
        self._uid: int | None = self.mapping.uid
        self._uid_lock = asyncio.Lock()
        self._ids = itertools.count(1)

    def use_token(self, token: str) -> None:
        """Keep the API key: it travels in every `execute_kw` call."""
        self._api_key = token

    # ---- JSON-RPC plumbing ----
    async def _rpc(self, service: str, method: str, args: list[Any]) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(self._ids),
        }
        # Every call this connector makes is a read, so retrying it is safe.
        body = await self.client.post("/jsonrpc", json=payload, idempotent=True)
        with expect_shape(self.system, "JSON-RPC envelope"):
            envelope = as_dict(body)
            if "error" in envelope:
                self._raise_rpc_error(as_dict(envelope["error"]))
            if "result" not in envelope:
                raise KeyError("result")
            return envelope["result"]

    def _raise_rpc_error(self, error: Record) -> None:
        data = error.get("data") if isinstance(error.get("data"), dict) else {}
        assert isinstance(data, dict)
        name = str(data.get("name", ""))
        message = str(data.get("message") or error.get("message") or "Odoo error")[:200]
        if name in _ACCESS_ERRORS or error.get("code") == 100:
            raise UnauthorizedError(self.system, f"{name or 'access denied'}: {message}")
        if name.startswith("psycopg2"):
            raise SourceDownError(self.system, f"{name}: {message}")
        raise RequestRejectedError(self.system, f"{name}: {message}")

    async def _user_id(self) -> int:
        if self._uid is not None:
            return self._uid
        async with self._uid_lock:
            if self._uid is None:
                uid = await self._rpc(
                    "common",
                    "authenticate",
                    [self.mapping.database, self.mapping.login, self._api_key, {}],
                )
                if uid is False or uid is None:
                    raise UnauthorizedError(self.system, "authenticate refused the API key")
                if not isinstance(uid, int):
                    raise BadResponseError(self.system, "authenticate returned no user id")
                self._uid = uid
        return self._uid

    async def execute_kw(
        self, model: str, method: str, args: list[Any], kwargs: Record | None = None
    ) -> Any:
        """Call a method of an Odoo model."""
        uid = await self._user_id()
        return await self._rpc(
            "object",
            "execute_kw",
            [self.mapping.database, uid, self._api_key, model, method, args, kwargs or {}],
        )

    async def _search_read_all(
        self, model: str, domain: list[Any], fields: list[str], order: str
    ) -> list[Record]:
        """Every matching record, page by page (`offset`/`limit`)."""
        records: list[Record] = []
        size = self.mapping.page_size
        while True:
            page = await self.execute_kw(
                model,
                "search_read",
                [domain],
                {"fields": fields, "order": order, "offset": len(records), "limit": size},
            )
            with expect_shape(self.system, f"{model} page"):
                rows = [as_dict(row) for row in as_list(page)]
            records.extend(rows)
            if len(rows) < size:
                return records

    # ---- partners ----
    async def fetch_partners(self, ids: Sequence[str]) -> dict[str, ErpPartner]:
        """Customers by partner id, with billing (invoice) and shipping (delivery) contacts."""
        wanted = _int_ids(ids)
        if not wanted:
            return {}
        domain = ["|", ["id", "in", wanted], ["parent_id", "in", wanted]]
        records = await self._search_read_all("res.partner", domain, PARTNER_FIELDS, "id asc")
        with expect_shape(self.system, "res.partner"):
            return self._partners(records, set(wanted))

    def _partners(self, records: list[Record], wanted: set[int]) -> dict[str, ErpPartner]:
        children: dict[int, list[Record]] = {}
        mains: list[Record] = []
        for record in records:
            parent = many2one(record.get("parent_id"))
            if record["id"] in wanted:
                mains.append(record)
            elif parent is not None and parent[0] in wanted:
                children.setdefault(parent[0], []).append(record)
        return {str(r["id"]): self._partner(r, children.get(r["id"], [])) for r in mains}

    def _address(self, record: Record, kind: str) -> PostalAddress | None:
        street = " ".join(filter(None, (text(record.get("street")), text(record.get("street2")))))
        city, postcode = text(record.get("city")), text(record.get("zip"))
        if not (street or city or postcode):
            return None
        state = many2one(record.get("state_id"))
        return PostalAddress(
            kind=kind,
            street=street or None,
            city=city,
            postcode=postcode,
            region=state[1] if state else None,
            country=text(record.get("country_code")),
        )

    def _partner(self, record: Record, children: list[Record]) -> ErpPartner:
        addresses: list[PostalAddress] = []
        main_address = self._address(record, "home")
        if main_address:
            addresses.append(main_address)
        contact_name = None
        kinds_seen = set()
        for child in children:
            kind = _ADDRESS_KINDS.get(str(child.get("type")))
            if kind:
                address = self._address(child, kind)
                if address:
                    addresses.append(address)
                    kinds_seen.add(kind)
            elif child.get("type") == "contact" and contact_name is None:
                contact_name = text(child.get("name"))
        if main_address and "billing" not in kinds_seen:
            # Without an invoice contact Odoo bills the partner's own address.
            addresses.append(_with_kind(main_address, "billing"))
        terms = many2one(record.get("property_payment_term_id"))
        payment_terms = None
        if terms is not None:
            prepay = terms[1] in self.mapping.prepay_terms
            payment_terms = PaymentTerms.PREPAY if prepay else PaymentTerms.POSTPAY
        return ErpPartner(
            system=self.system,
            external_id=str(record["id"]),
            name=str(record["name"]),
            is_company=bool(record.get("is_company")),
            contact_name=contact_name,
            email=text(record.get("email")),
            phone=text(record.get("phone")),
            mobile=text(record.get("mobile")),
            addresses=tuple(addresses),
            language=text(record.get("lang")),
            reference=text(record.get("ref")),
            payment_terms=payment_terms,
            payment_terms_label=terms[1] if terms else None,
            is_customer=integer(record.get("customer_rank")) > 0,
            created_at=odoo_datetime(record.get("create_date")),
            updated_at=odoo_datetime(record.get("write_date")),
        )

    # ---- orders ----
    async def fetch_orders(self, customer_ids: Sequence[str]) -> dict[str, list[Order]]:
        """Sale orders with lines, products and categories, newest first, by partner id."""
        wanted = _int_ids(customer_ids)
        if not wanted:
            return {}
        orders = await self._search_read_all(
            "sale.order", [["partner_id", "child_of", wanted]], ORDER_FIELDS, "date_order desc"
        )
        with expect_shape(self.system, "sale.order"):
            order_ids = [int(o["id"]) for o in orders]
        line_pages = await gather_or_raise(
            self._search_read_all(
                "sale.order.line", [["order_id", "in", chunk]], LINE_FIELDS, "id asc"
            )
            for chunk in chunked(order_ids, 500)
        )
        lines = [line for page in line_pages for line in page]
        with expect_shape(self.system, "sale.order.line"):
            product_ids = sorted({p[0] for line in lines if (p := many2one(line["product_id"]))})
        products = await self._products(product_ids)
        owners = await self._owners(orders, set(wanted))
        with expect_shape(self.system, "sale.order"):
            return self._orders(orders, lines, products, owners)

    async def _products(self, product_ids: list[int]) -> dict[int, ProductRef]:
        if not product_ids:
            return {}
        rows = await self.execute_kw(
            "product.product", "read", [product_ids], {"fields": PRODUCT_FIELDS}
        )
        with expect_shape(self.system, "product.product"):
            products = {}
            for row in as_list(rows):
                row = as_dict(row)
                category = many2one(row.get("categ_id"))
                products[int(row["id"])] = ProductRef(
                    external_id=str(row["id"]),
                    name=str(row["name"]),
                    sku=text(row.get("default_code")),
                    category=category[1] if category else None,
                )
            return products

    def _orders(
        self,
        orders: list[Record],
        lines: list[Record],
        products: dict[int, ProductRef],
        owners: dict[int, int],
    ) -> dict[str, list[Order]]:
        lines_by_order: dict[int, list[OrderLine]] = {}
        for line in lines:
            order = many2one(line["order_id"])
            product = many2one(line["product_id"])
            if order is None:
                continue
            ref = products.get(product[0]) if product else None
            if ref is None:
                ref = ProductRef(
                    str(product[0]) if product else "", product[1] if product else "", None, None
                )
            lines_by_order.setdefault(order[0], []).append(
                OrderLine(
                    external_id=str(line["id"]),
                    product=ref,
                    description=str(line.get("name") or ref.name),
                    quantity=money(line.get("product_uom_qty")),
                    unit_price=money(line.get("price_unit")),
                    discount_percent=money(line.get("discount")),
                    subtotal=money(line.get("price_subtotal")),
                    total=money(line.get("price_total")),
                )
            )
        result: dict[str, list[Order]] = {}
        for record in orders:
            owner = _owner(record, owners)
            if owner is None:
                continue
            currency = many2one(record.get("currency_id"))
            ordered_at = odoo_datetime(record["date_order"])
            if ordered_at is None:
                raise ValueError("sale.order without date_order")
            result.setdefault(str(owner), []).append(
                Order(
                    system=self.system,
                    external_id=str(record["id"]),
                    customer_external_id=str(owner),
                    number=str(record["name"]),
                    state=str(record["state"]),
                    ordered_at=ordered_at,
                    currency=currency[1] if currency else None,
                    amount_untaxed=money(record.get("amount_untaxed")),
                    amount_tax=money(record.get("amount_tax")),
                    amount_total=money(record.get("amount_total")),
                    invoice_status=text(record.get("invoice_status")),
                    lines=tuple(lines_by_order.get(int(record["id"]), ())),
                    updated_at=odoo_datetime(record.get("write_date")),
                    utm_source=_many2one_name(record.get("source_id")),
                    utm_campaign=_many2one_name(record.get("campaign_id")),
                )
            )
        return result

    async def _owners(self, documents: list[Record], wanted: set[int]) -> dict[int, int]:
        """Partner id -> requested customer id, for every partner named by `documents`.

        `child_of` also matches documents of child contacts (e.g. a company's buyer); those
        are attributed to their commercial partner, read in one extra call when needed.
        """
        with expect_shape(self.system, "partner_id"):
            named = {p[0] for d in documents if (p := many2one(d["partner_id"]))}
        owners = {partner_id: partner_id for partner_id in named & wanted}
        unknown = sorted(named - wanted)
        if unknown:
            rows = await self.execute_kw(
                "res.partner", "read", [unknown], {"fields": ["id", "commercial_partner_id"]}
            )
            with expect_shape(self.system, "res.partner"):
                for row in as_list(rows):
                    row = as_dict(row)
                    parent = many2one(row.get("commercial_partner_id"))
                    if parent is not None and parent[0] in wanted:
                        owners[int(row["id"])] = parent[0]
        return owners

    # ---- invoices ----
    async def fetch_invoices(self, customer_ids: Sequence[str]) -> dict[str, list[Invoice]]:
        """Customer invoices and refunds, newest first, by partner id."""
        wanted = _int_ids(customer_ids)
        if not wanted:
            return {}
        domain = [
            ["partner_id", "child_of", wanted],
            ["move_type", "in", ["out_invoice", "out_refund"]],
        ]
        moves = await self._search_read_all(
            "account.move", domain, MOVE_FIELDS, "invoice_date desc"
        )
        owners = await self._owners(moves, set(wanted))
        result: dict[str, list[Invoice]] = {}
        with expect_shape(self.system, "account.move"):
            for record in moves:
                owner = _owner(record, owners)
                if owner is None:
                    continue
                currency = many2one(record.get("currency_id"))
                result.setdefault(str(owner), []).append(
                    Invoice(
                        system=self.system,
                        external_id=str(record["id"]),
                        customer_external_id=str(owner),
                        number=str(record["name"]),
                        move_type=str(record["move_type"]),
                        state=str(record["state"]),
                        payment_state=text(record.get("payment_state")),
                        invoice_date=iso_date(record.get("invoice_date")),
                        due_date=iso_date(record.get("invoice_date_due")),
                        currency=currency[1] if currency else None,
                        amount_total=money(record.get("amount_total")),
                        amount_due=money(record.get("amount_residual")),
                        origin=text(record.get("invoice_origin")),
                        updated_at=odoo_datetime(record.get("write_date")),
                    )
                )
        return result

    # ---- sync and health ----
    async def iter_changes(self, since: datetime) -> AsyncIterator[SourceChange]:
        """Customers written at or after `since`, oldest write first."""
        stamp = since.strftime("%Y-%m-%d %H:%M:%S")
        domain = [["write_date", ">=", stamp], ["parent_id", "=", False]]
        offset = 0
        size = self.mapping.page_size
        while True:
            page = await self.execute_kw(
                "res.partner",
                "search_read",
                [domain],
                {
                    "fields": ["id", "write_date"],
                    "order": "write_date asc, id asc",
                    "offset": offset,
                    "limit": size,
                },
            )
            with expect_shape(self.system, "res.partner page"):
                ids = [str(as_dict(row)["id"]) for row in as_list(page)]
            partners = await self.fetch_partners(ids)
            for partner_id in ids:
                partner = partners.get(partner_id)
                if partner is not None:
                    yield SourceChange(
                        self.system, "partner", partner_id, partner.updated_at, partner
                    )
            if len(ids) < size:
                return
            offset += size

    async def erase_subject(self, external_id: str) -> bool:
        """Anonymise and archive the partner and its child contacts (False if Odoo has none).

        Odoo refuses to `unlink` a partner with posted invoices, and the invoices must be kept:
        overwriting every personal field and archiving is the erasure its API allows.
        """
        wanted = _int_ids([external_id])
        if not wanted:
            return False
        found = await self.execute_kw(
            "res.partner",
            "search",
            [["|", ["id", "in", wanted], ["parent_id", "in", wanted]]],
            {"context": {"active_test": False}},
        )
        with expect_shape(self.system, "res.partner ids"):
            ids = [int(i) for i in as_list(found)]
        if wanted[0] not in ids:
            return False
        await self.execute_kw("res.partner", "write", [ids, ERASED_PARTNER_VALUES])
        return True

    async def health(self) -> SourceHealth:
        """One authenticated, cheap call: count partners with an impossible id."""

        async def call() -> object:
            return await self.execute_kw("res.partner", "search_count", [[["id", "=", 0]]])

        return await probe(self.system, call)


# What an erased partner (and each of its child contacts) becomes.
ERASED_PARTNER_NAME = "Erased customer"
ERASED_PARTNER_VALUES: Record = {
    "name": ERASED_PARTNER_NAME,
    "email": False,
    "phone": False,
    "mobile": False,
    "street": False,
    "street2": False,
    "city": False,
    "zip": False,
    "state_id": False,
    "vat": False,
    "ref": False,
    "comment": False,
    "website": False,
    "function": False,
    "active": False,
}


def _owner(document: Record, owners: dict[int, int]) -> int | None:
    """The requested customer a sale order or invoice belongs to, if any."""
    partner = many2one(document["partner_id"])
    return None if partner is None else owners.get(partner[0])


def _with_kind(address: PostalAddress, kind: str) -> PostalAddress:
    return PostalAddress(
        kind, address.street, address.city, address.postcode, address.region, address.country
    )


def _many2one_name(value: Any) -> str | None:
    """The display name of a many2one value ([id, name] or false)."""
    found = many2one(value)
    return text(found[1]) if found else None
