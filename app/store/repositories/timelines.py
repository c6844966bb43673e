"""Per-customer histories read in one query for many customers (window functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.store.models import ConsentEvent, Interaction, MetricObservation, Preference

RowT = TypeVar("RowT", bound=SQLModel)
# Statements are built once and reused with bound parameters: building and keying a window
# query costs ~1 ms of CPU, more than running it (SQLAlchemy memoizes a statement's cache key).
CUSTOMER_IDS = bindparam("customer_ids", expanding=True)


def _newest_per_group(
    model: type[RowT],
    *,
    group_by: Sequence[Any],
    newest_first: Sequence[Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[tuple[RowT]]:
    """The `keep` newest rows of each (customer, group) of the `customer_ids` customers."""
    rank = (
        func.row_number()
        .over(partition_by=[model.customer_id, *group_by], order_by=list(newest_first))  # type: ignore[attr-defined]
        .label("rank")
    )
    inner = select(model, rank).where(model.customer_id.in_(CUSTOMER_IDS), *where).subquery()  # type: ignore[attr-defined]
    ranked = select(inner).where(inner.c.rank <= bindparam("keep"))
    return select(model).from_statement(ranked.order_by(inner.c.customer_id, inner.c.rank))  # type: ignore[return-value]


async def _grouped(
    session: AsyncSession, statement: Select[tuple[RowT]], params: dict[str, Any]
) -> dict[str, list[RowT]]:
    grouped: dict[str, list[RowT]] = defaultdict(list)
    for row in await session.scalars(statement, params):
        grouped[row.customer_id].append(row)  # type: ignore[attr-defined]
    return grouped


_METRIC_VALUES = _newest_per_group(
    MetricObservation,
    group_by=[MetricObservation.name],
    newest_first=[MetricObservation.observed_at.desc(), MetricObservation.id.desc()],  # type: ignore[attr-defined,union-attr]
)
_CURRENT_CONSENTS = _newest_per_group(
    ConsentEvent,
    group_by=[ConsentEvent.purpose, ConsentEvent.channel],
    newest_first=[ConsentEvent.captured_at.desc(), ConsentEvent.id.desc()],  # type: ignore[attr-defined,union-attr]
)
_CONSENT_HISTORY = (
    select(ConsentEvent)
    .where(ConsentEvent.customer_id.in_(CUSTOMER_IDS))  # type: ignore[attr-defined]
    .order_by(ConsentEvent.captured_at.desc(), ConsentEvent.id.desc())  # type: ignore[attr-defined,union-attr]
)
_PREFERENCES = select(Preference).where(Preference.customer_id.in_(CUSTOMER_IDS))  # type: ignore[attr-defined]


@cache
def _interaction_pages(channels: bool, since: bool, after: bool) -> Select[tuple[Interaction]]:
    """The interaction-page statement for one combination of filters (8 at most)."""
    where: list[ColumnElement[bool]] = []
    if channels:
        where.append(Interaction.channel.in_(bindparam("channels", expanding=True)))  # type: ignore[attr-defined]
    if since:
        where.append(Interaction.occurred_at >= bindparam("since"))  # type: ignore[arg-type,operator]
    if after:
        at = bindparam("after_at")
        where.append(
            or_(
                Interaction.occurred_at < at,  # type: ignore[operator]
                and_(Interaction.occurred_at == at, Interaction.id < bindparam("after_id")),  # type: ignore[operator]
            )
        )
    return _newest_per_group(
        Interaction,
        group_by=[],
        newest_first=[Interaction.occurred_at.desc(), Interaction.id.desc()],  # type: ignore[attr-defined,union-attr]
        where=where,
    )


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


async def consent_history_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[ConsentEvent]]:
    """Every consent ledger entry of each customer, newest first."""
    return await _grouped(session, _CONSENT_HISTORY, {"customer_ids": list(customer_ids)})


async def preferences_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, Preference]:
    rows = await session.scalars(_PREFERENCES, {"customer_ids": list(customer_ids)})
    return {row.customer_id: row for row in rows}


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
    params: dict[str, Any] = {"customer_ids": list(customer_ids), "keep": first + 1}
    if channels is not None:
        params["channels"] = list(channels)
    if since is not None:
        params["since"] = since
    if after is not None:
        params["after_at"], params["after_id"] = after
    statement = _interaction_pages(channels is not None, since is not None, after is not None)
    return await _grouped(session, statement, params)
