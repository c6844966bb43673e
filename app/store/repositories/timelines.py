"""Per-customer histories read in one query for many customers (window functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ExecutableReturnsRows
from sqlmodel import col

from app.store.models import ConsentEvent, MetricObservation
from app.store.repositories import customer_rows


async def _grouped(
    session: AsyncSession, statement: ExecutableReturnsRows, params: dict[str, Any]
) -> dict[str, list[Any]]:
    """The entities `statement` loads, by customer id (a text statement's rows are untyped:
    the callers name the entity)."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in await session.scalars(statement, params):
        grouped[row.customer_id].append(row)
    return grouped


# The serving path's window statements, loading entities for the jobs that change them.
_METRIC_VALUES = select(MetricObservation).from_statement(customer_rows.METRIC_VALUES)
_CURRENT_CONSENTS = select(ConsentEvent).from_statement(customer_rows.CURRENT_CONSENTS)


async def metric_values_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str], keep: int = 2
) -> dict[str, list[MetricObservation]]:
    """The `keep` newest observations of each metric of each customer (current, previous...)."""
    params = {"customer_ids": list(customer_ids), "keep": keep}
    return await _grouped(session, _METRIC_VALUES, params)


async def metric_history(
    session: AsyncSession,
    *,
    customer_id: str,
    name: str,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[MetricObservation]:
    """Observations of one metric of one customer, newest first."""
    statement = select(MetricObservation).where(
        col(MetricObservation.customer_id) == customer_id, col(MetricObservation.name) == name
    )
    if since is not None:
        statement = statement.where(col(MetricObservation.observed_at) >= since)
    if until is not None:
        statement = statement.where(col(MetricObservation.observed_at) <= until)
    statement = statement.order_by(
        col(MetricObservation.observed_at).desc(),
        col(MetricObservation.id).desc(),
    ).limit(limit)
    return list(await session.scalars(statement))


async def current_consents_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[ConsentEvent]]:
    """The latest ledger entry per purpose and channel of each customer."""
    params = {"customer_ids": list(customer_ids), "keep": 1}
    return await _grouped(session, _CURRENT_CONSENTS, params)
