"""Delivering committed outbox events to this process's subscribers.

One `EventDispatcher` per serving process (built in the app lifespan). It reads the outbox in
id order from where it started and hands each event to every live subscription's queue. It
reads when a transaction of this process commits events (`Database.events_committed`), when
another process says it did (Redis pub/sub, when `C360_EVENTS_REDIS_URL` or `C360_CACHE_URL`
names Redis), and at least every `poll_seconds` whatever happens (so every worker delivers
even without Redis, only later). Redis carries only the wake-up, never the event: the
outbox is the one record, so a lost message delays an event, it never loses one.

On PostgreSQL ids are taken before commit, so a row with a smaller id can become visible
after a larger one: the dispatcher remembers the ids it delivered above its low-water mark
and waits up to `gap_seconds` for a missing id (a rolled-back transaction never fills it).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Connection, Table, func, select

from app.store.db import Database
from app.store.models import OutboxEvent

log = structlog.get_logger("c360.events")

CHANNEL = "c360:events"
_BATCH = 500


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A committed change event as subscribers see it: no personal values, field names only."""

    position: int
    event_id: str
    kind: str
    customer_id: str
    changed: tuple[str, ...]
    source: str
    occurred_at: datetime


_OUTBOX: Table = OutboxEvent.__table__  # type: ignore[attr-defined]


def _events_after(connection: Connection, floor: int, limit: int) -> list[ChangeEvent]:
    """The first `limit` events above position `floor`, in order (Core rows, no ORM objects)."""
    rows = connection.execute(
        select(_OUTBOX).where(_OUTBOX.c.id > floor).order_by(_OUTBOX.c.id).limit(limit)
    )
    return [
        ChangeEvent(
            row.id,
            row.event_id,
            row.kind,
            row.customer_id,
            tuple(row.changed),
            row.source,
            row.occurred_at,
        )
        for row in rows
    ]


def _newest(connection: Connection) -> int:
    return connection.execute(select(func.max(_OUTBOX.c.id))).scalar() or 0


class SubscriberTooSlow(Exception):
    """The subscription's queue overflowed: it is ended rather than silently skip events."""


@dataclass(eq=False)
class Subscription:
    """One subscriber's queue, fed with the events whose kind and customer it asked for."""

    kinds: frozenset[str] | None
    customer_id: str | None
    capacity: int
    after: int  # the newest event committed when it subscribed: not for it
    queue: asyncio.Queue[ChangeEvent | None] = field(init=False)
    overflowed: bool = False

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.capacity)

    def wants(self, event: ChangeEvent) -> bool:
        return (self.kinds is None or event.kind in self.kinds) and (
            self.customer_id is None or event.customer_id == self.customer_id
        )

    def offer(self, event: ChangeEvent) -> None:
        if self.overflowed or event.position <= self.after or not self.wants(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            self.queue.get_nowait()
            self.queue.put_nowait(None)

    async def events(self) -> AsyncIterator[ChangeEvent]:
        """The events in commit order; raises `SubscriberTooSlow` after an overflow."""
        while True:
            event = await self.queue.get()
            if event is None:
                raise SubscriberTooSlow
            yield event


class EventDispatcher:
    """Reads the outbox and fans each new event out to this process's subscriptions."""

    def __init__(
        self,
        db: Database,
        *,
        redis_url: str | None = None,
        poll_seconds: float = 1.0,
        gap_seconds: float = 5.0,
        queue_capacity: int = 1000,
    ) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.gap_seconds = gap_seconds
        self.queue_capacity = queue_capacity
        self._redis = Redis.from_url(redis_url, socket_connect_timeout=0.5) if redis_url else None
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        # Every id at or below it was delivered (or given up on); None until the first read,
        # which starts after the newest event (subscriptions are live, not a replay).
        self._floor: int | None = None
        self._above: set[int] = set()  # delivered ids above the floor
        self._stuck_since: float | None = None  # since when an id below `_above` is missing
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def subscriptions(self) -> int:
        return len(self._subscriptions)

    async def newest(self) -> int:
        """The position of the newest committed event (0: none yet)."""
        return await self.db.read(_newest)

    async def start(self) -> None:
        """Start reading (the database need not be up yet: reads are retried)."""
        self.db.events_committed.append(self.committed)
        self._tasks.append(asyncio.create_task(self._run(), name="c360-event-dispatch"))
        if self._redis is not None:
            self._tasks.append(asyncio.create_task(self._listen(), name="c360-event-listen"))

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.db.events_committed.remove(self.committed)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._redis is not None:
            await self._redis.aclose()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *, kinds: Collection[str] | None, customer_id: str | None
    ) -> AsyncIterator[Subscription]:
        """A subscription for the block's lifetime, to events committed after it began."""
        subscription = Subscription(
            frozenset(kinds) if kinds else None,
            customer_id,
            self.queue_capacity,
            after=await self.newest(),
        )
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def committed(self) -> None:
        """A transaction of this process committed events: read now, and tell the others."""
        self._wake.set()
        if self._redis is not None:
            task = asyncio.get_running_loop().create_task(self._publish())
            self._tasks.append(task)
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    async def _publish(self) -> None:
        assert self._redis is not None
        try:
            await self._redis.publish(CHANNEL, b"1")
        except RedisError as error:
            log.warning("event wake-up not published", error=type(error).__name__)

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except RedisError as error:
                # Polling still delivers meanwhile.
                log.warning("event wake-ups unavailable", error=type(error).__name__)
                await asyncio.sleep(self.poll_seconds)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.deliver_new()
            except Exception as error:
                # E.g. the database is down: the next wake-up or poll retries.
                log.warning("event dispatch failed", error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def deliver_new(self) -> int:
        """Read what was committed since the last read and hand it out; how many events."""
        if self._floor is None:
            self._floor = await self.newest()
            return 0
        delivered = 0
        while True:
            # A worker-thread hop on SQLite (`Database.read`), not an aiosqlite session: the
            # first subscriber hears of a commit sooner.
            read = functools.partial(
                _events_after, floor=self._floor, limit=_BATCH + len(self._above)
            )
            rows = await self.db.read(read)
            fresh = [event for event in rows if event.position not in self._above]
            for event in fresh:
                for subscription in list(self._subscriptions):
                    subscription.offer(event)
                self._above.add(event.position)
            delivered += len(fresh)
            self._advance_floor()
            if len(fresh) < _BATCH:
                return delivered

    def _advance_floor(self) -> None:
        assert self._floor is not None
        start = self._floor
        while self._floor + 1 in self._above:
            self._floor += 1
            self._above.discard(self._floor)
        if not self._above:
            self._stuck_since = None
            return
        now = time.monotonic()
        if self._stuck_since is None or self._floor != start:
            self._stuck_since = now
        elif now - self._stuck_since >= self.gap_seconds:
            # Rolled-back transactions took the missing ids: they will never appear.
            self._floor = min(self._above) - 1
            self._stuck_since = None
            self._advance_floor()
