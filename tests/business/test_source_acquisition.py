"""`c360 sync` takes where customers came from from the CRM (HubSpot's original source and the
date a contact became a customer) and the ERP (the first confirmed order's UTM source, Odoo
`sale.order.source_id`), served by the simulators in the vendors' wire formats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from typer.testing import CliRunner

from app.business.acquisition import NewAcquisition, set_acquisition
from app.store.db import Database
from app.store.models import (
    Acquisition,
    AcquisitionMovement,
    AcquisitionRetention,
    FieldProvenance,
)
from composition.cli import app
from simulators.acquisition import acquisition_of
from simulators.activity import erp_orders
from simulators.world import World
from tests.identity.test_sync_command import _run, simulators, store, world

__all__ = ["simulators", "store", "world"]
runner = CliRunner()


async def _forget_acquisitions(db: Database) -> None:
    """An empty acquisition ledger (records, rollups and provenance), as before any source."""
    async with db.transaction() as session:
        for model in (Acquisition, AcquisitionMovement, AcquisitionRetention):
            await session.execute(delete(model))
        await session.execute(
            delete(FieldProvenance).where(FieldProvenance.field == "acquired_at")  # type: ignore[arg-type]
        )


async def _records(db: Database) -> dict[str, tuple[Any, ...]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Acquisition, FieldProvenance.rule).join(
                FieldProvenance,
                (FieldProvenance.customer_id == Acquisition.customer_id)  # type: ignore[arg-type]
                & (FieldProvenance.field == "acquired_at"),
            )
        )
        return {
            a.customer_id: (a.acquired_at, a.channel, a.campaign, a.system, rule)
            for a, rule in rows.all()
        }


def test_sync_stores_the_crms_original_source_but_not_over_a_persons(
    store: str, simulators: dict[str, Any], world: World
) -> None:
    # given: no acquisitions, except one a steward set by hand
    _run(store, _forget_acquisitions)
    customers = [p for p in world.people if acquisition_of(world, p) is not None]
    by_hand = customers[0]
    hand = NewAcquisition(
        by_hand.customer_id, datetime(2020, 5, 1, tzinfo=UTC), "gateway", "events"
    )
    _run(store, lambda db: set_acquisition(db, hand))

    # when
    result = runner.invoke(app, ["sync", "--no-metrics"])

    # then: every customer the CRM knows has the world's acquisition, from hubspot
    assert result.exit_code == 0, result.output
    records = _run(store, _records)
    hubspot_people = {link.customer_id for link in world.links if link.system == "hubspot"}
    checked = 0
    for person in customers[1:]:
        if person.customer_id not in hubspot_people:
            continue
        truth = acquisition_of(world, person)
        assert truth is not None
        acquired_at, channel, campaign, system, rule = records[person.customer_id]
        assert abs((acquired_at - truth.acquired_at).total_seconds()) < 0.001  # ms on the wire
        assert (channel, campaign) == (truth.source.lower(), truth.campaign)
        assert (system, rule) == ("hubspot", "earliest_source")
        checked += 1
    assert checked > 10
    assert records[by_hand.customer_id][1:] == ("events", None, "gateway", "direct_edit")
    # customers only the ERP knows: their first confirmed order's UTM source and date
    odoo_people = {link.customer_id for link in world.links if link.system == "odoo"}
    from_erp = 0
    for person in customers[1:]:
        if person.customer_id not in odoo_people - hubspot_people:
            continue
        confirmed = [o for o in erp_orders(world, person) if o.state in ("sale", "done")]
        first = min(confirmed, key=lambda o: o.ordered_at) if confirmed else None
        if first is None or first.utm_source is None:
            assert person.customer_id not in records
            continue
        acquired_at, channel, campaign, system, rule = records[person.customer_id]
        assert abs((acquired_at - first.ordered_at).total_seconds()) < 1  # Odoo: seconds
        expected = first.utm_source.lower().replace(" ", "_")
        assert (channel, campaign, system) == (expected, first.utm_campaign, "odoo")
        from_erp += 1
    assert from_erp > 0
