"""The serving path's reads of customers: Core statements built once, rows out.

Each function takes a synchronous `Connection` (inside `Database.read`, so a batch of them
shares one connection and one trip) and returns immutable records whose columns are attributes
(`row.customer_id`, `row.value`), grouped by customer id. No ORM entity, identity map or
session: building those cost more CPU than running the small indexed reads themselves. The
records are named tuples, not SQLAlchemy `Row`s: a `Row`'s column attribute is found only after
a failed class lookup (an `AttributeError` built and dropped) and a Python `__getattr__`, ~400
ns a read against ~40 ns, and a customer page reads ~1,000 of them.
Writes and the identity/metrics jobs keep the ORM repositories.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache, partial
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Result,
    Select,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)

from app.pagination import Page, decode_cursor, parse_cursor_time
from app.store.models import (
    ConsentEvent,
    ContactPoint,
    Customer,
    Interaction,
    MetricObservation,
    Preference,
    SourceLink,
)
from app.store.repositories.customers import (
    MAX_MERGE_HOPS,
    CustomerFilter,
    CustomerOrder,
    CustomerOrderField,
    _cursor_of,
    _filtered,
    _sort_key,
)
from app.store.repositories.merge_hops import follow_hop, next_ids

CustomerRow = Any  # a `customer` record: `.id`, `.given_name`...
LinkRow = Any  # a `source_link` record: `.system`, `.external_id`...
CUSTOMER: Table = Customer.__table__  # type: ignore[attr-defined]
CONTACT_POINT: Table = ContactPoint.__table__  # type: ignore[attr-defined]
SOURCE_LINK: Table = SourceLink.__table__  # type: ignore[attr-defined]
METRIC: Table = MetricObservation.__table__  # type: ignore[attr-defined]
CONSENT: Table = ConsentEvent.__table__  # type: ignore[attr-defined]
PREFERENCE: Table = Preference.__table__  # type: ignore[attr-defined]
INTERACTION: Table = Interaction.__table__  # type: ignore[attr-defined]
CUSTOMER_IDS: BindParameter[Any] = bindparam("customer_ids", expanding=True)


def newest_per_group(
    table: Table,
    *,
    group_by: Sequence[Any],
    newest_first: Sequence[Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """The `keep` newest rows of each (customer, group) of the `customer_ids` customers."""
    rank = (
        func.row_number()
        .over(partition_by=[table.c.customer_id, *group_by], order_by=list(newest_first))
        .label("rank")
    )
    inner = select(table, rank).where(table.c.customer_id.in_(CUSTOMER_IDS), *where).subquery()
    ranked = select(inner).where(inner.c.rank <= bindparam("keep"))
    return ranked.order_by(inner.c.customer_id, inner.c.rank)


_CUSTOMERS = select(CUSTOMER).where(CUSTOMER.c.id.in_(bindparam("ids", expanding=True)))
_CONTACT_POINTS = (
    select(CONTACT_POINT)
    .where(CONTACT_POINT.c.customer_id.in_(CUSTOMER_IDS))
    .order_by(CONTACT_POINT.c.is_primary.desc(), CONTACT_POINT.c.id)
)
_SOURCE_LINKS = (
    select(SOURCE_LINK)
    .where(SOURCE_LINK.c.customer_id.in_(CUSTOMER_IDS))
    .order_by(SOURCE_LINK.c.system, SOURCE_LINK.c.external_id)
)
METRIC_VALUES = newest_per_group(
    METRIC,
    group_by=[METRIC.c.name],
    newest_first=[METRIC.c.observed_at.desc(), METRIC.c.id.desc()],
)
CURRENT_CONSENTS = newest_per_group(
    CONSENT,
    group_by=[CONSENT.c.purpose, CONSENT.c.channel],
    newest_first=[CONSENT.c.captured_at.desc(), CONSENT.c.id.desc()],
)
_CONSENT_HISTORY = (
    select(CONSENT)
    .where(CONSENT.c.customer_id.in_(CUSTOMER_IDS))
    .order_by(CONSENT.c.captured_at.desc(), CONSENT.c.id.desc())
)
_PREFERENCES = select(PREFERENCE).where(PREFERENCE.c.customer_id.in_(CUSTOMER_IDS))


@cache
def interaction_pages_statement(channels: bool, since: bool, after: bool) -> Select[Any]:
    """The interaction-page statement for one combination of filters (8 at most)."""
    where: list[ColumnElement[bool]] = []
    if channels:
        where.append(INTERACTION.c.channel.in_(bindparam("channels", expanding=True)))
    if since:
        where.append(INTERACTION.c.occurred_at >= bindparam("since"))
    if after:
        at: BindParameter[datetime] = bindparam("after_at")
        where.append(
            or_(
                INTERACTION.c.occurred_at < at,
                and_(INTERACTION.c.occurred_at == at, INTERACTION.c.id < bindparam("after_id")),
            )
        )
    return newest_per_group(
        INTERACTION,
        group_by=[],
        newest_first=[INTERACTION.c.occurred_at.desc(), INTERACTION.c.id.desc()],
        where=where,
    )


@cache
def _record_maker(keys: tuple[str, ...]) -> Callable[[Iterable[Any]], Any]:
    """A named tuple type for one statement's columns, made once."""
    # The fields are known only at run time, which mypy cannot check.
    record: Any = namedtuple("Record", keys)  # type: ignore[misc]  # noqa: PYI024
    maker: Callable[[Iterable[Any]], Any] = record._make
    return maker


def _records(result: Result[Any]) -> list[Any]:
    """The result's rows as named tuples (columns as attributes, read at C speed)."""
    make = _record_maker(tuple(result.keys()))
    return [make(row) for row in result]


def _grouped(
    connection: Connection, statement: Select[Any], params: dict[str, Any]
) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in _records(connection.execute(statement, params)):
        grouped[row.customer_id].append(row)
    return grouped


def live_customers(connection: Connection, ids: Sequence[str]) -> dict[str, CustomerRow]:
    """Each requested id's live customer, following `merged_into` tombstones (unknown: absent)."""
    pending = {
        row.id: row
        for row in _records(connection.execute(_CUSTOMERS, {"ids": list(dict.fromkeys(ids))}))
    }
    result: dict[str, CustomerRow] = {}
    for _ in range(MAX_MERGE_HOPS):
        targets = next_ids(pending)
        survivors = (
            {
                row.id: row
                for row in _records(connection.execute(_CUSTOMERS, {"ids": list(targets)}))
            }
            if targets
            else {}
        )
        pending = follow_hop(pending, survivors, result)
        if not pending:
            break
    return result


def contact_points(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    """Each customer's contact points, primary first, then oldest first."""
    return _grouped(connection, _CONTACT_POINTS, {"customer_ids": list(ids)})


def source_links(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    """Each customer's source identities, by system then external id."""
    return _grouped(connection, _SOURCE_LINKS, {"customer_ids": list(ids)})


def metric_values(
    connection: Connection, ids: Sequence[str], *, keep: int = 2
) -> dict[str, list[Any]]:
    """The `keep` newest observations of each metric of each customer, newest first."""
    return _grouped(connection, METRIC_VALUES, {"customer_ids": list(ids), "keep": keep})


def current_consents(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    """The latest ledger entry per purpose and channel of each customer."""
    return _grouped(connection, CURRENT_CONSENTS, {"customer_ids": list(ids), "keep": 1})


def consent_histories(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    """Every consent ledger entry of each customer, newest first."""
    return _grouped(connection, _CONSENT_HISTORY, {"customer_ids": list(ids)})


def preferences(connection: Connection, ids: Sequence[str]) -> dict[str, Any]:
    """Each customer's preferences row, if any."""
    rows = _records(connection.execute(_PREFERENCES, {"customer_ids": list(ids)}))
    return {row.customer_id: row for row in rows}


def interaction_pages(
    connection: Connection,
    ids: Sequence[str],
    *,
    first: int,
    after: tuple[datetime, int] | None,
    channels: Sequence[str] | None,
    since: datetime | None,
) -> dict[str, list[Any]]:
    """Up to `first + 1` local interactions per customer, newest first, after a keyset position."""
    params: dict[str, Any] = {"customer_ids": list(ids), "keep": first + 1}
    if channels is not None:
        params["channels"] = list(channels)
    if since is not None:
        params["since"] = since
    if after is not None:
        params["after_at"], params["after_id"] = after
    statement = interaction_pages_statement(
        channels is not None, since is not None, after is not None
    )
    return _grouped(connection, statement, params)


def _page_statement(criteria: CustomerFilter, order: CustomerOrder, after: bool) -> Select[Any]:
    """The list statement for a filter and order; keyset position and size are bound later."""
    key = _sort_key(order)
    statement = _filtered(select(CUSTOMER), criteria)
    if after:
        position = tuple_(key, CUSTOMER.c.id)
        bound = tuple_(
            bindparam("after_value", type_=key.type),
            bindparam("after_id", type_=CUSTOMER.c.id.type),
        )
        statement = statement.where(position < bound if order.descending else position > bound)
    if order.descending:
        statement = statement.order_by(key.desc(), CUSTOMER.c.id.desc())
    else:
        statement = statement.order_by(key, CUSTOMER.c.id)
    return statement.limit(bindparam("limit"))


# Unfiltered pages, the common case, reuse one statement per order. A filter's values (and
# the consent check's "now") are part of its statement, so filtered pages build theirs.
_unfiltered_page = cache(partial(_page_statement, CustomerFilter()))


def customer_page(
    connection: Connection,
    *,
    criteria: CustomerFilter,
    order: CustomerOrder,
    first: int,
    after: str | None,
) -> Page[CustomerRow]:
    """One keyset page of live customers matching `criteria`, in `order`."""
    params: dict[str, Any] = {"limit": first + 1}
    if after is not None:
        value, last_id = decode_cursor(after, 2)
        if order.field is not CustomerOrderField.FAMILY_NAME:
            value = parse_cursor_time(value)
        params["after_value"], params["after_id"] = value, last_id
    statement = (
        _unfiltered_page(order, after is not None)
        if criteria == CustomerFilter()
        else _page_statement(criteria, order, after is not None)
    )
    rows = _records(connection.execute(statement, params))
    items = rows[:first]
    return Page(
        items=items,
        cursors=[_cursor_of(row, order) for row in items],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )
