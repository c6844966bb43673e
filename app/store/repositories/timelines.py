"""Per-customer histories read in one query for many customers (window functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.store.models import ConsentEvent, MetricObservation
from app.store.repositories import customer_rows

RowT = TypeVar("RowT", bound=SQLModel)


async def _grouped(
    session: AsyncSession, statement: Select[tuple[RowT]], params: dict[str, Any]
) -> dict[str, list[RowT]]:
    grouped: dict[str, list[RowT]] = defaultdict(list)
    for row in await session.scalars(statement, params):
        grouped[row.customer_id].append(row)  # type: ignore[attr-defined]
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
        MetricObservation.customer_id == customer_id, MetricObservation.name == name
    )
    if since is not None:
        statement = statement.where(MetricObservation.observed_at >= since)
    if until is not None:
        statement = statement.where(MetricObservation.observed_at <= until)
    statement = statement.order_by(
        MetricObservation.observed_at.desc(),  # type: ignore[attr-defined]
        MetricObservation.id.desc(),  # type: ignore[union-attr]
    ).limit(limit)
    return list(await session.scalars(statement))


async def current_consents_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[ConsentEvent]]:
    """The latest ledger entry per purpose and channel of each customer."""
    params = {"customer_ids": list(customer_ids), "keep": 1}
    return await _grouped(session, _CURRENT_CONSENTS, params)
