"""Over-merge guards of ingest: the cluster-size cap and conflicting national ids go to review."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from app.identity.ingest import IncomingRecord, Ingestor, Outcome
from app.identity.record import PersonRecord
from app.settings import Settings
from app.store.db import Database
from app.store.models import Customer, MatchCandidate

JANE = PersonRecord(
    record_id="",
    given_name="Jane",
    family_name="Doe",
    email="jane.doe@example.org",
    phone="0113 496 0123",
    postcode="LS1 4AP",
    birth_date="1985-07-21",
    national_id="QQ 12 34 56 C",
)


def _from(system: str, **changes: str) -> IncomingRecord:
    return IncomingRecord(system=system, external_id="1", person=replace(JANE, **changes))


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_customer_at_the_cluster_cap_gets_a_candidate_instead(settings: Settings) -> None:
    # given: at most two identities per customer
    db = Database(settings.database_url)
    try:
        ingestor = Ingestor.from_settings(
            db, settings.model_copy(update={"match_max_cluster_size": 2})
        )
        first = await ingestor.ingest([_from("crm"), _from("erp")])

        # when
        third = await ingestor.ingest([_from("shop")])

        # then
        assert (first.count(Outcome.NEW), first.count(Outcome.LINKED)) == (1, 1)
        assert third.count(Outcome.CANDIDATE) == 1
        assert await _count(db, Customer) == 2
        async with db.session() as session:
            candidate = (await session.scalars(select(MatchCandidate))).one()
        assert "cluster would exceed the maximum size" in candidate.evidence["guards"]
    finally:
        await db.dispose()


async def test_conflicting_national_ids_are_reviewed_not_linked(settings: Settings) -> None:
    # given
    db = Database(settings.database_url)
    try:
        ingestor = Ingestor.from_settings(db, settings)
        await ingestor.ingest([_from("crm")])

        # when
        other = await ingestor.ingest([_from("erp", national_id="ZZ 99 99 99 Z")])

        # then
        assert other.count(Outcome.CANDIDATE) == 1
        async with db.session() as session:
            candidate = (await session.scalars(select(MatchCandidate))).one()
        assert "national ids differ" in candidate.evidence["guards"]
        assert candidate.score < settings.match_auto_link
    finally:
        await db.dispose()


async def test_records_that_identify_nobody_never_reach_the_store(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        ingestor = Ingestor.from_settings(db, settings)
        empty = IncomingRecord(system="crm", external_id="9", person=PersonRecord(record_id="9"))
        unnamed = replace(empty, external_id="")

        summary = await ingestor.ingest([empty, unnamed])

        assert summary.count(Outcome.SKIPPED) == 2
        assert set(summary.skip_reasons) == {
            "nothing identifies the person",
            "missing or overlong external id",
        }
        assert await _count(db, Customer) == 0
    finally:
        await db.dispose()
