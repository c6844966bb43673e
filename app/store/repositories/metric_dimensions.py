"""The summary groups of a customer (segment, lifecycle stage, region, preferred channel),
copied onto its `metric_current` rows so that `metricSummary` groups one table.

One definition of each group, as SQL over the customer's own rows: current values are written
with them (`dimensions_of`), and `refresh_dimensions` copies them after every write that can
change one (customer fields, contact points, preferences, ingest, merges).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.store.models import CHANNEL_PRIORITY, ContactPoint, Customer, MetricCurrent, Preference

# Updates go in chunks of customer ids (SQLite's bound-parameter limit).
_CHUNK = 500
NAMES = ("segment", "lifecycle_stage", "region", "channel")


def dimensions(customer_id: Any) -> dict[str, ColumnElement[Any]]:
    """Each summary group of the customer whose id is `customer_id` (a column), by name."""
    region = (
        select(func.coalesce(col(ContactPoint.region), col(ContactPoint.country)))
        .where(col(ContactPoint.customer_id) == customer_id, col(ContactPoint.kind) == "address")
        .order_by(col(ContactPoint.is_primary).desc(), col(ContactPoint.id))
        .limit(1)
        .scalar_subquery()
    )
    # The preferred channel: the first of `CHANNEL_PRIORITY` the customer's channel set (a JSON
    # array) holds.
    text = cast(col(Preference.channels), String)
    preferred = case(
        *((text.like(f'%"{channel}"%'), channel) for channel in CHANNEL_PRIORITY),
        else_=None,
    )
    return {
        "segment": select(col(Customer.segment))
        .where(col(Customer.id) == customer_id)
        .scalar_subquery(),
        "lifecycle_stage": select(col(Customer.lifecycle_stage))
        .where(col(Customer.id) == customer_id)
        .scalar_subquery(),
        "region": region,
        "channel": select(preferred)
        .where(col(Preference.customer_id) == customer_id)
        .scalar_subquery(),
    }


async def refresh_dimensions(
    session: AsyncSession, customer_ids: Collection[str] | None = None
) -> None:
    """Copy the customers' current groups onto their current values (all customers if None)."""
    statement = (
        update(MetricCurrent)
        .values(dimensions(col(MetricCurrent.customer_id)))
        .execution_options(synchronize_session=False)
    )
    if customer_ids is None:
        await session.execute(statement)
        return
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        await session.execute(statement.where(col(MetricCurrent.customer_id).in_(chunk)))


async def dimensions_of(
    session: AsyncSession, customer_ids: Collection[str]
) -> dict[str, dict[str, Any]]:
    """Each customer's groups by name (customers that do not exist are left out)."""
    found: dict[str, dict[str, Any]] = {}
    ids = sorted(set(customer_ids))
    customer = aliased(Customer)
    customer_id_column = col(customer.id)
    columns = dimensions(customer_id_column)
    for start in range(0, len(ids), _CHUNK):
        statement = select(customer_id_column, *columns.values()).where(
            customer_id_column.in_(ids[start : start + _CHUNK])
        )
        for customer_id, *values in await session.execute(statement):
            found[customer_id] = dict(zip(columns, values, strict=True))
    return found
