"""Queries for the recompute job: live customer ids, inputs kept locally, writes of observations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.store.models import Customer, Interaction, MetricPopulation
from app.store.repositories.metric_current import append_observations


async def live_customer_ids(session: AsyncSession) -> list[str]:
    """Every customer that is not a merge tombstone, by id."""
    statement = (
        select(col(Customer.id))
        .where(col(Customer.merged_into).is_(None))
        .order_by(col(Customer.id))
    )
    return list(await session.scalars(statement))


async def interactions_by_customer(
    session: AsyncSession, *, customer_ids: Sequence[str]
) -> dict[str, list[tuple[datetime, str]]]:
    """(occurred_at, channel) of every interaction recorded at the gateway, per customer."""
    statement = select(
        col(Interaction.customer_id), col(Interaction.occurred_at), col(Interaction.channel)
    ).where(col(Interaction.customer_id).in_(customer_ids))
    grouped: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for customer_id, occurred_at, channel in await session.execute(statement):
        grouped[customer_id].append((occurred_at, channel))
    return grouped


async def insert_observations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Append observations in one statement (executemany), current values with them."""
    await append_observations(session, rows)


async def latest_population(session: AsyncSession, *, name: str) -> MetricPopulation | None:
    """The newest stored population parameters called `name`."""
    statement = (
        select(MetricPopulation)
        .where(col(MetricPopulation.name) == name)
        .order_by(col(MetricPopulation.computed_at).desc(), col(MetricPopulation.id).desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()
