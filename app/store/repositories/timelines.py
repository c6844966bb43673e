"""Per-customer histories read in one query for many customers (window functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.store.models import ConsentEvent, Interaction, MetricObservation, Preference

RowT = TypeVar("RowT", bound=SQLModel)


async def _latest_per_group(
    session: AsyncSession,
    model: type[RowT],
    *,
    customer_ids: Sequence[str],
    group_by: Sequence[Any],
    newest_first: Sequence[Any],
    keep: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[RowT]]:
    """The `keep` newest rows of each (customer, group) — one query for all customers."""
    rank = (
        func.row_number()
        .over(partition_by=[model.customer_id, *group_by], order_by=list(newest_first))  # type: ignore[attr-defined]
        .label("rank")
    )
    inner = (
        select(model, rank)
        .where(model.customer_id.in_(customer_ids), *where)  # type: ignore[attr-defined]
        .subquery()
    )
    aliased = select(model).from_statement(
        select(inner).where(inner.c.rank <= keep).order_by(inner.c.customer_id, inner.c.rank)
    )
    grouped: dict[str, list[RowT]] = defaultdict(list)
    for row in await session.scalars(aliased):
        grouped[row.customer_id].append(row)  # type: ignore[attr-defined]
    return grouped


async def metric_values_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str], keep: int = 2
) -> dict[str, list[MetricObservation]]:
    """The `keep` newest observations of each metric of each customer (current, previous...)."""
    return await _latest_per_group(
        session,
        MetricObservation,
        customer_ids=customer_ids,
        group_by=[MetricObservation.name],
        newest_first=[MetricObservation.observed_at.desc(), MetricObservation.id.desc()],  # type: ignore[attr-defined,union-attr]
        keep=keep,
    )


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
    return await _latest_per_group(
        session,
        ConsentEvent,
        customer_ids=customer_ids,
        group_by=[ConsentEvent.purpose, ConsentEvent.channel],
        newest_first=[ConsentEvent.captured_at.desc(), ConsentEvent.id.desc()],  # type: ignore[attr-defined,union-attr]
        keep=1,
    )


async def consent_history_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[ConsentEvent]]:
    """Every consent ledger entry of each customer, newest first."""
    statement = (
        select(ConsentEvent)
        .where(ConsentEvent.customer_id.in_(customer_ids))  # type: ignore[attr-defined]
        .order_by(ConsentEvent.captured_at.desc(), ConsentEvent.id.desc())  # type: ignore[attr-defined,union-attr]
    )
    grouped: dict[str, list[ConsentEvent]] = defaultdict(list)
    for row in await session.scalars(statement):
        grouped[row.customer_id].append(row)
    return grouped


async def preferences_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, Preference]:
    statement = select(Preference).where(Preference.customer_id.in_(customer_ids))  # type: ignore[attr-defined]
    return {row.customer_id: row for row in await session.scalars(statement)}


async def interaction_pages_by_customer(
    session: AsyncSession,
    *,
    customer_ids: Sequence[str],
    first: int,
    after: tuple[datetime, int] | None,
    channels: Sequence[str] | None = None,
    since: datetime | None = None,
) -> dict[str, list[Interaction]]:
    """Up to `first + 1` interactions per customer, newest first, after a keyset position.

    `channels` keeps only those channels; `since` only interactions at or after it.
    """
    where: list[ColumnElement[bool]] = []
    if channels is not None:
        where.append(Interaction.channel.in_(channels))  # type: ignore[attr-defined]
    if since is not None:
        where.append(Interaction.occurred_at >= since)  # type: ignore[arg-type,operator]
    if after is not None:
        at, last_id = after
        where.append(
            or_(
                Interaction.occurred_at < at,
                and_(Interaction.occurred_at == at, Interaction.id < last_id),  # type: ignore[operator]
            )
        )
    return await _latest_per_group(
        session,
        Interaction,
        customer_ids=customer_ids,
        group_by=[],
        newest_first=[Interaction.occurred_at.desc(), Interaction.id.desc()],  # type: ignore[attr-defined,union-attr]
        keep=first + 1,
        where=where,
    )
