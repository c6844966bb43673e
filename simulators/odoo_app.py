"""Odoo simulator: the external JSON-RPC API (`POST /jsonrpc`, `execute_kw`) over the world.

Speaks Odoo 17's wire format: JSON-RPC 2.0 envelopes, `common.version/login/authenticate`,
`object.execute_kw(db, uid, api_key, model, method, args, kwargs)`, many2one fields as
`[id, display_name]`, `false` for empty fields, "YYYY-MM-DD HH:MM:SS" UTC datetimes, and
errors as HTTP 200 with an `error` object (`odoo.exceptions.AccessDenied` for bad keys), as
Odoo does. Models: res.partner (with invoice/delivery child contacts), sale.order,
sale.order.line, product.product, account.move. Domains support the usual operators,
`child_of`, and the `&`, `|`, `!` prefix operators. The API user may `write` res.partner (the
gateway's erasure anonymises and archives partners); archived partners are left out of
searches unless the call's context says `active_test: false`, as in Odoo.
"""

from __future__ import annotations

import bisect
import functools
import zlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.activity import (
    ErpProfile,
    OrderSpec,
    erp_orders,
    erp_profile,
    split_object_id,
)
from simulators.faults import FaultState, SimulatorGate
from simulators.world import (
    ODOO_PARTNER_BASE,
    ODOO_PARTNER_STRIDE,
    Address,
    World,
)

DATABASE = "c360"
API_UID = 2
SERVER_VERSION = "17.0"

COUNTRIES: dict[str, tuple[int, str]] = {
    "GB": (231, "United Kingdom"),
    "US": (233, "United States"),
    "DE": (57, "Germany"),
    "FR": (75, "France"),
    "ES": (68, "Spain"),
    "IT": (109, "Italy"),
    "NL": (165, "Netherlands"),
    "IE": (103, "Ireland"),
    "AT": (13, "Austria"),
    "PT": (183, "Portugal"),
}
CURRENCIES: dict[str, tuple[int, str]] = {"EUR": (1, "EUR"), "USD": (2, "USD"), "GBP": (150, "GBP")}
PAYMENT_TERMS: dict[str, int] = {
    "Immediate Payment": 1,
    "30 Days": 4,
    "45 Days": 5,
    "End of Following Month": 7,
}

Record = dict[str, Any]


class OdooFault(Exception):
    """An error Odoo reports inside a JSON-RPC envelope."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _odt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _odate(day: date) -> str:
    return day.isoformat()


def _rpc_result(request_id: Any, result: Any) -> Response:
    body = {"jsonrpc": "2.0", "id": request_id, "result": result}
    return Response(orjson.dumps(body), media_type="application/json")


def _rpc_error(request_id: Any, name: str, message: str, code: int = 200) -> Response:
    body = {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": code,
            "message": "Odoo Server Error" if code == 200 else "Odoo Session Expired",
            "data": {
                "name": name,
                "debug": f"Traceback (most recent call last):\n{name}: {message}\n",
                "message": message,
                "arguments": [message],
                "context": {},
            },
        },
    }
    return Response(orjson.dumps(body), media_type="application/json")


class OdooDialect:
    """Odoo authenticates in the body; proxies in front of it answer 5xx/429 as plain text."""

    header_auth = False

    def token(self, _request: Request) -> str | None:
        return None  # rate limiting falls back to one bucket per simulator

    def unauthorized(self) -> Response:
        return Response("Unauthorized", status_code=401, media_type="text/plain")

    def rate_limited(self, retry_after: int) -> Response:
        return Response(
            "Too Many Requests",
            status_code=429,
            media_type="text/plain",
            headers={"Retry-After": str(retry_after)},
        )

    def server_error(self, status: int) -> Response:
        return Response(
            "<html><body><h1>Service Unavailable</h1></body></html>",
            status_code=status,
            media_type="text/html",
        )


# -- domain evaluation ---------------------------------------------------------------------


def _compare(value: Any, operator: str, operand: Any, parent_of: Callable[[int], int]) -> bool:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        value = value[0]  # many2one compares by id
    if operator == "=":
        return value == operand or (operand is False and value in (None, False))
    if operator == "!=":
        return bool(value != operand)
    if operator == "in":
        return value in operand
    if operator == "not in":
        return value not in operand
    if operator == "child_of":
        ids = set(operand if isinstance(operand, list) else [operand])
        return isinstance(value, int) and (value in ids or parent_of(value) in ids)
    if operator in ("ilike", "=ilike", "like"):
        if not isinstance(value, str):
            return False
        needle = str(operand).lower()
        return value.lower() == needle if operator == "=ilike" else needle in value.lower()
    if value in (None, False):
        return False
    if operator == ">":
        return bool(value > operand)
    if operator == ">=":
        return bool(value >= operand)
    if operator == "<":
        return bool(value < operand)
    if operator == "<=":
        return bool(value <= operand)
    raise OdooFault("builtins.ValueError", f"Invalid domain operator {operator!r}")


def _matches(record: Record, domain: list[Any], parent_of: Callable[[int], int]) -> bool:
    """Evaluate an Odoo domain in Polish notation (implicit `&` between terms)."""

    def term(position: int) -> tuple[bool, int]:
        item = domain[position]
        if item == "!":
            value, nxt = term(position + 1)
            return not value, nxt
        if item in ("&", "|"):
            left, nxt = term(position + 1)
            right, nxt = term(nxt)
            return (left and right) if item == "&" else (left or right), nxt
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise OdooFault("builtins.ValueError", f"Invalid leaf {item!r}")
        field_name, operator, operand = item
        if field_name not in record:
            raise OdooFault("builtins.ValueError", f"Invalid field {field_name!r} in leaf")
        return _compare(record[field_name], operator, operand, parent_of), position + 1

    position, result = 0, True
    while position < len(domain):
        value, position = term(position)
        result = result and value
    return result


def _sort(records: list[Record], order: str | None) -> list[Record]:
    if not order:
        return sorted(records, key=lambda r: r["id"])
    for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
        name, _, direction = part.partition(" ")
        records.sort(key=_sort_key(name), reverse=direction.strip().lower() == "desc")
    return records


def _sort_key(name: str) -> Callable[[Record], tuple[bool, Any]]:
    """Order by the field `name`, empty values (None, False) last."""

    def key(record: Record) -> tuple[bool, Any]:
        return record.get(name) in (None, False), record.get(name) or 0

    return key


# -- the application -------------------------------------------------------------------------


class OdooSimulator:
    """Renders world data as Odoo records and serves `execute_kw` calls."""

    def __init__(self, world: World, gate: SimulatorGate) -> None:
        self.world = world
        self.gate = gate
        self._states: dict[tuple[str, str], int] = {}
        self._write_index: list[tuple[str, int]] | None = None
        # Values written through `write`, by partner id, laid over the world's records.
        self.written: dict[int, Record] = {}
        # A person's profile and orders are drawn afresh from their RNG (the same every time,
        # but costly): without these, reading N orders or invoices drew them N times each.
        self._orders_of_person = functools.lru_cache(maxsize=4096)(self._draw_orders)
        self._profile_of_person = functools.lru_cache(maxsize=4096)(self._draw_profile)

    def _draw_orders(self, key: int) -> tuple[OrderSpec, ...]:
        return erp_orders(self.world, self.world.people[key])

    def _draw_profile(self, key: int) -> ErpProfile | None:
        return erp_profile(self.world, self.world.people[key])

    # ---- records ----
    def _address_fields(self, address: Address) -> Record:
        country_id, country_name = COUNTRIES[address.country]
        state: Any = False
        if address.region:
            key = (address.country, address.region)
            state = [self._states.setdefault(key, 1000 + len(self._states)), address.region]
        return {
            "street": address.street,
            "street2": False,
            "city": address.city,
            "zip": address.postcode,
            "state_id": state,
            "country_id": [country_id, country_name],
            "country_code": address.country,
        }

    def _partner_records(self, profile: ErpProfile) -> list[Record]:
        main_id = profile.partner_id
        terms = profile.payment_term
        children: list[tuple[int, str, str, Address | None]] = []
        if profile.invoice_address:
            children.append((main_id + 1, "invoice", profile.name, profile.invoice_address))
        if profile.delivery_address:
            children.append((main_id + 2, "delivery", profile.name, profile.delivery_address))
        if profile.contact_name:
            children.append((main_id + 3, "contact", profile.contact_name, None))
        main: Record = {
            "id": main_id,
            "name": profile.name,
            "display_name": profile.name,
            "is_company": profile.is_company,
            "company_type": "company" if profile.is_company else "person",
            "type": "contact",
            "parent_id": False,
            "commercial_partner_id": [main_id, profile.name],
            "child_ids": [child[0] for child in children],
            "email": profile.email or False,
            "phone": profile.phone or False,
            "mobile": profile.mobile or False,
            **self._address_fields(profile.address),
            "lang": profile.lang,
            "ref": profile.ref or False,
            "property_payment_term_id": [PAYMENT_TERMS[terms], terms] if terms else False,
            "customer_rank": profile.customer_rank,
            "vat": False,
            "comment": False,
            "website": False,
            "function": False,
            "active": True,
            "create_date": _odt(profile.created_at),
            "write_date": _odt(profile.updated_at),
        }
        records = [main]
        for child_id, kind, name, address in children:
            label = (
                f"{profile.name}, {name}"
                if kind == "contact"
                else f"{profile.name}, {kind.title()} Address"
            )
            records.append(
                {
                    **main,
                    "id": child_id,
                    "name": name if kind == "contact" else False,
                    "display_name": label,
                    "is_company": False,
                    "company_type": "person",
                    "type": kind,
                    "parent_id": [main_id, profile.name],
                    "child_ids": [],
                    "email": main["email"] if kind == "contact" else False,
                    **(self._address_fields(address) if address else {}),
                    "ref": False,
                    "customer_rank": 0,
                }
            )
        return [self._with_writes(record) for record in records]

    def _with_writes(self, record: Record) -> Record:
        """The record with the values written to it (and to its parent's name) laid over."""
        written = self.written.get(record["id"], {})
        parent = record["parent_id"]
        main_name = self.written.get(parent[0] if parent else record["id"], {}).get("name")
        out = {**record, **written}
        if main_name:
            out["commercial_partner_id"] = [out["commercial_partner_id"][0], main_name]
            if parent:
                out["parent_id"] = [parent[0], main_name]
        if "name" in written:
            out["display_name"] = written["name"]
        return out

    def partner_name(self, partner_id: int) -> str:
        """The partner's name as Odoo shows it now (after any `write`)."""
        written = self.written.get(partner_id, {}).get("name")
        if written:
            return str(written)
        profile = self._profile_of(partner_id)
        return profile.name if profile else ""

    def write_partners(self, ids: list[Any], values: dict[str, Any]) -> bool:
        """`res.partner.write(ids, values)`: every id must exist, every field be known."""
        wanted = [int(i) for i in ids]
        known = {record["id"]: record for record in self._partners(wanted)}
        if any(i not in known for i in wanted):
            raise OdooFault(
                "odoo.exceptions.MissingError", "Record does not exist or has been deleted."
            )
        fields = set(next(iter(known.values()), {}))
        unknown = [name for name in values if name not in fields]
        if unknown:
            raise OdooFault("builtins.ValueError", f"Invalid field {unknown[0]!r} on res.partner")
        for partner_id in wanted:
            self.written.setdefault(partner_id, {}).update(values)
        return True

    def _profile_of(self, partner_id: int) -> ErpProfile | None:
        found = self.world.odoo_partner(partner_id)
        return None if found is None else self._profile_of_person(found[0].key)

    def _partners(self, ids: Iterable[int]) -> list[Record]:
        wanted = set(ids)
        mains = {self._main_id(i) for i in wanted}
        out: list[Record] = []
        for main_id in sorted(mains):
            profile = self._profile_of(main_id)
            if profile is not None:
                out.extend(r for r in self._partner_records(profile) if r["id"] in wanted)
        return out

    def _family(self, main_ids: Iterable[int]) -> list[Record]:
        out: list[Record] = []
        for main_id in sorted(set(main_ids)):
            profile = self._profile_of(main_id)
            if profile is not None:
                out.extend(self._partner_records(profile))
        return out

    @staticmethod
    def _main_id(partner_id: int) -> int:
        offset = (partner_id - ODOO_PARTNER_BASE) % ODOO_PARTNER_STRIDE
        return partner_id - offset

    def _orders_of(self, partner_ids: Iterable[int]) -> list[OrderSpec]:
        out: list[OrderSpec] = []
        for main_id in sorted({self._main_id(i) for i in partner_ids}):
            found = self.world.odoo_partner(main_id)
            if found is not None:
                out.extend(self._orders_of_person(found[0].key))
        return out

    def _order_by_id(self, order_id: int) -> OrderSpec | None:
        ordinal, index = split_object_id(order_id)
        if not 0 <= ordinal < len(self.world.odoo_members):
            return None
        person = self.world.people[self.world.odoo_members[ordinal]]
        orders = self._orders_of_person(person.key)
        return orders[index] if index < len(orders) else None

    def _order_record(self, order: OrderSpec) -> Record:
        partner_name = self.partner_name(order.partner_id)
        return {
            "id": order.order_id,
            "name": order.name,
            "display_name": order.name,
            "partner_id": [order.partner_id, partner_name],
            "date_order": _odt(order.ordered_at),
            "state": order.state,
            "currency_id": list(CURRENCIES[order.currency]),
            "amount_untaxed": order.amount_untaxed,
            "amount_tax": order.amount_tax,
            "amount_total": order.amount_total,
            "invoice_status": order.invoice_status,
            "order_line": [line.line_id for line in order.lines],
            "invoice_ids": [order.invoice.move_id] if order.invoice else [],
            "create_date": _odt(order.ordered_at),
            "write_date": _odt(order.updated_at),
            "source_id": _utm(order.utm_source),
            "campaign_id": _utm(order.utm_campaign),
        }

    def _line_records(self, order: OrderSpec) -> list[Record]:
        return [
            {
                "id": line.line_id,
                "order_id": [order.order_id, order.name],
                "product_id": [
                    line.product.product_id,
                    f"[{line.product.default_code}] {line.product.name}",
                ],
                "name": f"[{line.product.default_code}] {line.product.name}",
                "product_uom_qty": float(line.quantity),
                "price_unit": line.price_unit,
                "discount": line.discount,
                "price_subtotal": line.price_subtotal,
                "price_tax": line.price_tax,
                "price_total": line.price_total,
                "currency_id": list(CURRENCIES[order.currency]),
            }
            for line in order.lines
        ]

    def _move_record(self, order: OrderSpec) -> Record:
        invoice = order.invoice
        assert invoice is not None
        record = self._order_record(order)
        return {
            "id": invoice.move_id,
            "name": invoice.name,
            "display_name": invoice.name,
            "move_type": "out_invoice",
            "state": invoice.state,
            "payment_state": invoice.payment_state,
            "partner_id": record["partner_id"],
            "invoice_date": _odate(invoice.invoice_date),
            "invoice_date_due": _odate(invoice.due_date),
            "amount_untaxed": invoice.amount_untaxed,
            "amount_tax": invoice.amount_tax,
            "amount_total": invoice.amount_total,
            "amount_residual": invoice.amount_residual,
            "currency_id": list(CURRENCIES[invoice.currency]),
            "invoice_origin": invoice.origin,
            "create_date": _odt(order.ordered_at),
            "write_date": _odt(invoice.updated_at),
        }

    def _product_record(self, product_id: int) -> Record | None:
        product = self.world.product(product_id)
        if product is None:
            return None
        return {
            "id": product.product_id,
            "name": product.name,
            "display_name": f"[{product.default_code}] {product.name}",
            "default_code": product.default_code,
            "categ_id": [product.category_id, product.category],
            "list_price": product.list_price,
            "type": "service" if "Services" in product.category else "consu",
        }

    # ---- candidate selection: never scan the whole world when the domain names ids ----
    @staticmethod
    def _ids_in(domain: list[Any], field_name: str) -> list[int] | None:
        if any(item in ("|", "!") for item in domain):
            return None  # only a top-level AND lets a single leaf narrow the candidates
        for item in domain:
            if isinstance(item, list | tuple) and len(item) == 3 and item[0] == field_name:
                _, operator, operand = item
                if operator in ("in", "child_of"):
                    values = operand if isinstance(operand, list) else [operand]
                    return [int(v) for v in values]
                if operator == "=" and isinstance(operand, int):
                    return [operand]
        return None

    @staticmethod
    def _ids_in_any(domain: list[Any], field_names: tuple[str, ...]) -> list[int] | None:
        """Ids named by `field_name` leaves, even under `|` (for `id | parent_id` lookups)."""
        found: list[int] = []
        for item in domain:
            if isinstance(item, list | tuple) and len(item) == 3 and item[0] in field_names:
                _, operator, operand = item
                if operator not in ("in", "child_of", "="):
                    return None
                values = operand if isinstance(operand, list) else [operand]
                found.extend(int(v) for v in values if isinstance(v, int))
            elif isinstance(item, list | tuple):
                return None
        return found

    def _partner_candidates(self, domain: list[Any]) -> list[Record]:
        named = self._ids_in_any(domain, ("id", "parent_id", "commercial_partner_id"))
        if named:
            return self._family(self._main_id(i) for i in named)
        since = next(
            (
                item[2]
                for item in domain
                if isinstance(item, list | tuple)
                and len(item) == 3
                and item[0] == "write_date"
                and item[1] in (">", ">=")
            ),
            None,
        )
        index = self._partner_write_index()
        start = bisect.bisect_left(index, (str(since), 0)) if since else 0
        return self._family(partner_id for _, partner_id in index[start:])

    def _partner_write_index(self) -> list[tuple[str, int]]:
        """(write_date, id) of every main partner, built once: incremental sync reads it."""
        if self._write_index is None:
            entries = []
            for ordinal, key in enumerate(self.world.odoo_members):
                profile = erp_profile(self.world, self.world.people[key])
                assert profile is not None
                entries.append(
                    (_odt(profile.updated_at), ODOO_PARTNER_BASE + ordinal * ODOO_PARTNER_STRIDE)
                )
            self._write_index = sorted(entries)
        return self._write_index

    def _candidates(self, model: str, domain: list[Any]) -> list[Record]:
        if model == "res.partner":
            return self._partner_candidates(domain)
        if model == "product.product":
            product_ids = self._ids_in(domain, "id") or [p.product_id for p in self.world.products]
            return [r for r in (self._product_record(i) for i in product_ids) if r is not None]
        if model in ("sale.order", "account.move", "sale.order.line"):
            if model == "sale.order.line":
                order_ids = self._ids_in(domain, "order_id")
                line_ids = self._ids_in(domain, "id")
                if order_ids is None and line_ids is not None:
                    order_ids = [line_id // 100 for line_id in line_ids]
                if order_ids is None:
                    raise OdooFault(
                        "odoo.exceptions.UserError", "Filter order lines by order_id or id"
                    )
                orders = [o for o in (self._order_by_id(i) for i in order_ids) if o is not None]
                return [line for order in orders for line in self._line_records(order)]
            partner_ids = self._ids_in(domain, "partner_id")
            ids = self._ids_in(domain, "id")
            if partner_ids is not None:
                orders = self._orders_of(partner_ids)
            elif ids is not None:
                orders = [o for o in (self._order_by_id(i) for i in ids) if o is not None]
            else:
                raise OdooFault(
                    "odoo.exceptions.UserError",
                    "This simulator answers sale.order/account.move searches by partner_id or id",
                )
            if model == "sale.order":
                return [self._order_record(order) for order in orders]
            return [self._move_record(order) for order in orders if order.invoice]
        raise OdooFault("builtins.KeyError", repr(model))

    def _parent_of(self, partner_id: int) -> int:
        return self._main_id(partner_id)

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str] | None,
        offset: int,
        limit: int | None,
        order: str | None,
        *,
        active_test: bool = True,
    ) -> list[Record]:
        records = [
            r for r in self._candidates(model, domain) if _matches(r, domain, self._parent_of)
        ]
        mentions_active = any(isinstance(t, list) and t[:1] == ["active"] for t in domain)
        if model == "res.partner" and active_test and not mentions_active:
            # Odoo leaves archived records out unless asked for them.
            records = [r for r in records if r.get("active", True)]
        records = _sort(records, order)
        records = records[offset : offset + limit if limit else None]
        if fields:
            keep = set(fields) | {"id"}
            return [{k: v for k, v in r.items() if k in keep} for r in records]
        return records

    # ---- JSON-RPC ----
    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if method in ("search_read", "search", "search_count"):
            domain = args[0] if args else kwargs.get("domain", [])
            fields = kwargs.get("fields") or (
                args[1] if len(args) > 1 and method == "search_read" else None
            )
            offset = int(kwargs.get("offset", 0) or 0)
            limit = kwargs.get("limit")
            context = kwargs.get("context") or {}
            records = self.search_read(
                model,
                list(domain),
                fields,
                offset,
                limit,
                kwargs.get("order"),
                active_test=bool(context.get("active_test", True)),
            )
            if method == "search_count":
                return len(records)
            if method == "search":
                return [r["id"] for r in records]
            return records
        if method == "read":
            ids = args[0] if args else kwargs.get("ids", [])
            fields = kwargs.get("fields") or (args[1] if len(args) > 1 else None)
            # `read` by id returns archived records too, as in Odoo.
            return self.search_read(
                model, [["id", "in", list(ids)]], fields, 0, None, None, active_test=False
            )
        if model == "res.partner" and method == "write":
            ids = args[0] if args else kwargs.get("ids", [])
            values = args[1] if len(args) > 1 else kwargs.get("vals", {})
            return self.write_partners(list(ids), dict(values))
        if method in ("create", "write", "unlink"):
            raise OdooFault("odoo.exceptions.AccessError", "The API user may only read")
        raise OdooFault(
            "builtins.AttributeError", f"type object '{model}' has no attribute '{method}'"
        )

    async def jsonrpc(self, request: Request) -> Response:
        try:
            payload = orjson.loads(await request.body())
            request_id = payload.get("id")
            params = payload["params"]
            service, method, args = (
                params["service"],
                params["method"],
                list(params.get("args", [])),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return _rpc_error(None, "werkzeug.exceptions.BadRequest", "Invalid JSON-RPC request")
        try:
            if service == "common":
                return _rpc_result(request_id, self.common(method, args))
            if service == "object" and method in ("execute_kw", "execute"):
                db, uid, password, model, model_method = args[:5]
                if db != DATABASE or uid != API_UID or password != self.gate.token:
                    raise OdooFault("odoo.exceptions.AccessDenied", "Access Denied")
                if method == "execute":
                    call_args, call_kwargs = list(args[5:]), {}
                else:
                    call_args = list(args[5]) if len(args) > 5 else []
                    call_kwargs = dict(args[6]) if len(args) > 6 else {}
                return _rpc_result(
                    request_id, self.execute_kw(model, model_method, call_args, call_kwargs)
                )
            raise OdooFault("builtins.NameError", f"{service}.{method} is not exposed")
        except OdooFault as fault:
            return _rpc_error(request_id, fault.name, fault.message)
        except (ValueError, TypeError, IndexError) as exc:
            return _rpc_error(request_id, "builtins.ValueError", str(exc))

    def common(self, method: str, args: list[Any]) -> Any:
        if method == "version":
            return {
                "server_version": SERVER_VERSION,
                "server_version_info": [17, 0, 0, "final", 0, ""],
                "server_serie": SERVER_VERSION,
                "protocol_version": 1,
            }
        if method in ("login", "authenticate"):
            db, _login, password = args[:3]
            return API_UID if db == DATABASE and password == self.gate.token else False
        raise OdooFault("builtins.NameError", f"common.{method} is not exposed")


def create_odoo_app(world: World, faults: FaultState, token: str) -> Starlette:
    """The Odoo simulator app."""
    gate = SimulatorGate(OdooDialect(), faults, token)
    simulator = OdooSimulator(world, gate)

    async def version(_request: Request) -> Response:
        return Response(
            orjson.dumps(simulator.common("version", [])), media_type="application/json"
        )

    app = Starlette(
        routes=[
            Route("/jsonrpc", gate.guard(simulator.jsonrpc), methods=["POST"]),
            Route("/web/version", gate.guard(version), methods=["GET"]),
        ]
    )
    app.state.gate = gate
    app.state.faults = faults
    app.state.simulator = simulator
    return app


def _utm(name: str | None) -> list[Any] | bool:
    """A utm.source / utm.campaign many2one as Odoo renders it: [id, name], or false."""
    if name is None:
        return False
    return [zlib.crc32(name.encode()) % 100_000 + 1, name]
