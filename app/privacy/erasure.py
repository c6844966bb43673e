"""Erasure (GDPR Art. 17): remove a person from the master store and ask every system to erase.

In one transaction, erasure first saves what it still needs (an `erasure_request`, and one
`erasure_task` per linked source identity), adds the person's identifiers to the suppression
list (keyed digests only), then deletes the customer, the tombstones merged into it, every row
hanging off them, their change events with every webhook delivery of them (dead letters too),
and the API keys acting as them. The customer row is deleted, not kept as a tombstone: its id
then resolves to nothing (`NOT_FOUND`), and no column can be forgotten by a later migration.
Audit events have no foreign key and stay, the erasure's own among them. Live customers that
hold one of the person's identifiers too (a housemate's phone, or the same person under a
second record) are reported and queued for a steward (`erasure_lookalike`).

Then each linked system that supports erasure is asked to erase (HubSpot GDPR delete, Odoo
anonymise-and-archive, SurveyMonkey response and contact deletes), concurrently, and each
outcome is recorded. Calling `erase_customer` again retries what failed and changes nothing
else; once every system reports done the erasure is complete and further calls only report it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import structlog
from sqlalchemy.exc import IntegrityError

from app.customers.lookup import live_customer
from app.errors import NotFoundError
from app.events.kinds import EventKind
from app.events.outbox import emit, forget_customers
from app.graph import CustomerGraph, connectors_config
from app.privacy.suppression import identifiers_of, suppress
from app.settings import Settings
from app.store.db import Database
from app.store.models import ErasureLookalike, ErasureRequest, ErasureTask
from app.store.repositories import erasures as repo
from app.store.repositories import subject_data
from app.store.types import utcnow
from connectors.base import ErasableConnector
from connectors.errors import ConnectorError
from connectors.records import Capability
from connectors.registry import CONNECTOR_TYPES

log = structlog.get_logger("c360.erasure")
# An erasure may take several calls (SurveyMonkey: one per response): a few budgets' worth.
ERASURE_BUDGET_FACTOR = 5.0


class TaskState(StrEnum):
    """Where the erasure of one source identity stands."""

    PENDING = "pending"
    DONE = "done"
    NOT_FOUND = "not_found"  # the system did not know the person: nothing to erase there
    FAILED = "failed"  # try again (eraseCustomer, c360 dsar erase)
    UNSUPPORTED = "unsupported"  # the system's API cannot erase: needs someone to do it there


FINISHED = frozenset({TaskState.DONE, TaskState.NOT_FOUND})
_SEVERITY = [
    TaskState.DONE,
    TaskState.NOT_FOUND,
    TaskState.PENDING,
    TaskState.UNSUPPORTED,
    TaskState.FAILED,
]


@dataclass(frozen=True, slots=True)
class SystemErasure:
    """How erasure went in one system (the worst of its identities)."""

    system: str
    state: TaskState
    attempts: int
    detail: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    """An erasure's state; `removed_key_ids` are the API keys this call deleted; `lookalikes`
    the live customers that held one of the person's identifiers (ids and kinds only)."""

    customer_id: str
    requested_at: datetime
    requested_by: str
    completed_at: datetime | None
    systems: list[SystemErasure]
    removed_key_ids: list[str]
    lookalikes: list[ErasureLookalike]

    @property
    def complete(self) -> bool:
        """True once every linked system reports the person erased (or unknown to it)."""
        return self.completed_at is not None


async def _erase_from_store(
    db: Database, settings: Settings, customer_id: str, requested_by: str
) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Save the tasks, suppression digests and look-alikes, then delete; (id, removed keys,
    identities)."""
    async with db.transaction() as session:
        customer = await live_customer(session, customer_id)
        ids = [customer.id, *await subject_data.merged_into(session, customer_id=customer.id)]
        held = await identifiers_of(session, ids)
        identities = list(held.source_ids)
        # Systems a connector can reach: each connected one, and any known type's by name.
        reachable = {*CONNECTOR_TYPES, *connectors_config(settings).connectors}
        await suppress(session, settings, held)
        holders = await repo.live_holders(
            session,
            emails=held.emails,
            phones=held.phones,
            national_ids=held.national_ids,
            loyalty_ids=held.loyalty_ids,
            exclude=ids,
        )
        session.add(ErasureRequest(customer_id=customer.id, requested_by=requested_by))
        await session.flush()
        await repo.add_lookalikes(session, erased_id=customer.id, holders=holders)
        session.add_all(
            ErasureTask(
                customer_id=customer.id,
                system=system,
                external_id=external_id,
                state=TaskState.PENDING.value,
            )
            for system, external_id in identities
            if system in reachable
        )
        removed = await subject_data.delete_customer_keys(session, customer_ids=ids)
        await subject_data.delete_customers(session, customer_ids=ids)
        # Her earlier events and their deliveries (dead letters too) go; the erasure's own
        # event stays, so subscribers and webhook receivers learn of it.
        emit(session, EventKind.ERASED, [customer.id])
        await forget_customers(session, ids)
    return customer.id, removed, identities


async def _erase_upstream(graph: CustomerGraph, task: ErasureTask) -> tuple[TaskState, str | None]:
    """Ask the task's system to erase; never raises, and no upstream detail is kept."""
    connector = graph.connectors.get(task.system)
    if connector is None:
        return TaskState.FAILED, "no connector is configured for this system"
    if Capability.ERASURE not in connector.capabilities or not isinstance(
        connector, ErasableConnector
    ):
        return TaskState.UNSUPPORTED, "the system's API offers no erasure"
    assert task.external_id is not None
    try:
        async with asyncio.timeout(graph.budget(task.system) * ERASURE_BUDGET_FACTOR):
            known = await connector.erase_subject(task.external_id)
    except TimeoutError:
        return TaskState.FAILED, "TIMEOUT: no answer within the budget"
    except ConnectorError as exc:
        # The vendor's message may quote the person's data: keep only what kind of failure.
        return TaskState.FAILED, f"{exc.status.value}: {type(exc).__name__}"
    except Exception:
        log.exception("erasure failed unexpectedly", system=task.system)
        return TaskState.FAILED, "ERROR: unexpected connector failure"
    return (TaskState.DONE if known else TaskState.NOT_FOUND), None


async def _run_tasks(db: Database, graph: CustomerGraph, customer_id: str) -> None:
    """Try every unfinished task once, concurrently, and record each outcome."""
    async with db.session() as session:
        open_tasks = [
            task
            for task in await repo.tasks_of(session, customer_id=customer_id)
            if task.state not in FINISHED
        ]
    results = await asyncio.gather(*(_erase_upstream(graph, task) for task in open_tasks))
    now = utcnow()
    async with db.transaction() as session:
        for task, (state, detail) in zip(open_tasks, results, strict=True):
            assert task.id is not None
            row = await repo.get_task(session, task_id=task.id)
            assert row is not None
            row.state, row.detail, row.updated_at = state.value, detail, now
            row.attempts += 1
            if state in FINISHED:
                row.external_id = None  # no longer needed: the digest stays on the list
        request = await repo.get_request(session, customer_id=customer_id)
        assert request is not None
        tasks = await repo.tasks_of(session, customer_id=customer_id)
        if request.completed_at is None and all(t.state in FINISHED for t in tasks):
            request.completed_at = now


def _per_system(tasks: list[ErasureTask]) -> list[SystemErasure]:
    by_system: dict[str, list[ErasureTask]] = {}
    for task in tasks:
        by_system.setdefault(task.system, []).append(task)
    out = []
    for system, group in sorted(by_system.items()):
        worst = max(group, key=lambda t: _SEVERITY.index(TaskState(t.state)))
        out.append(
            SystemErasure(
                system=system,
                state=TaskState(worst.state),
                attempts=max(t.attempts for t in group),
                detail=worst.detail,
                updated_at=max(t.updated_at for t in group),
            )
        )
    return out


async def erasure_status(
    db: Database, *, customer_id: str, removed_key_ids: list[str] | None = None
) -> ErasureOutcome:
    """Where the erasure of `customer_id` stands (`NotFoundError` if it was never erased)."""
    async with db.session() as session:
        request = await repo.get_request(session, customer_id=customer_id)
        if request is None:
            raise NotFoundError("no erasure of this customer", id=customer_id)
        tasks = await repo.tasks_of(session, customer_id=customer_id)
        lookalikes = await repo.lookalikes_of(session, erased_id=customer_id)
    return ErasureOutcome(
        customer_id=request.customer_id,
        requested_at=request.requested_at,
        requested_by=request.requested_by,
        completed_at=request.completed_at,
        systems=_per_system(tasks),
        removed_key_ids=removed_key_ids or [],
        lookalikes=lookalikes,
    )


async def erase_customer(
    db: Database,
    graph: CustomerGraph,
    settings: Settings,
    *,
    customer_id: str,
    requested_by: str,
) -> ErasureOutcome:
    """Erase a customer everywhere, or retry what failed last time (idempotent).

    `NotFoundError` when the id is neither a customer nor one erased before.
    """
    async with db.session() as session:
        request = await repo.get_request(session, customer_id=customer_id)
    removed: list[str] = []
    if request is None:
        try:
            customer_id, removed, identities = await _erase_from_store(
                db, settings, customer_id, requested_by
            )
        except IntegrityError:
            # A concurrent call erased the same customer first: carry on as a retry.
            log.info("erasure already recorded by a concurrent call")
        else:
            # Nothing fetched about the person may be served from the cache any more.
            await graph.invalidate_customer(identities)
    await _run_tasks(db, graph, customer_id)
    # SQLite keeps deleted rows in its write-ahead log until a checkpoint (freed space is
    # zeroed by `secure_delete`): leave no copy of the person in the files.
    if not await db.checkpoint():
        log.warning("erased data may stay in the write-ahead log until the next checkpoint")
    return await erasure_status(db, customer_id=customer_id, removed_key_ids=removed)
