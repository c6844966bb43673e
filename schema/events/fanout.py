"""One execution per event for every subscriber who would receive the same answer.

Subscribers that sent the same subscription (document, operation name, variables) and whose
principals decide delivery alike share a group. The group runs the subscription once,
through Strawberry like a lone subscriber would (parse and validation caches, extensions,
the resolvers of `schema/events/subscriptions.py`), serializes each result once, and every
member's socket task sends that frame under its own operation id.

What decides delivery is in the group's key: the role (which events, which fields and their
masking), the purpose (which consent gates events) and, for a customer, the customer it is.
Consent is still read for every event at delivery time, once for the group: members share a
purpose, so they share the answer. An event carries field names, never personal values, so
no delivery is a read of personal data to audit; were a selection ever to carry some, its
audit would have to be written per member, not per group.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import structlog
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.schema import BaseSchema
from strawberry.types.execution import ExecutionResult, PreExecutionError

from app.events.dispatch import SubscriberTooSlow
from app.privacy.principals import Principal, Purpose, Role
from schema.error_codes import classify
from schema.events.context import SubscriptionContext

log = structlog.get_logger("c360.subscriptions")


@dataclass(frozen=True, slots=True)
class GroupKey:
    query: str
    operation_name: str | None
    variables: bytes  # canonical JSON
    role: Role
    purpose: Purpose
    subject: str | None


@lru_cache(maxsize=256)
def _is_subscription(query: str, operation_name: str | None, max_tokens: int) -> bool:
    # Anything else (a syntax error, a document over the token limit, an unknown operation
    # name, a query or mutation) is left to Strawberry's own handling, one execution each.
    try:
        operation = get_operation_ast(parse(query, max_tokens=max_tokens), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


def group_key(
    principal: Principal | None,
    query: object,
    variables: object,
    operation_name: object,
    *,
    max_tokens: int,
) -> GroupKey | None:
    """The group this operation can share, or None if it must run on its own."""
    if (
        principal is None
        or not isinstance(query, str)
        or not (operation_name is None or isinstance(operation_name, str))
        or not _is_subscription(query, operation_name, max_tokens)
    ):
        return None
    try:
        canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: Strawberry refuses it
        return None
    return GroupKey(
        query,
        operation_name,
        canonical,
        principal.role,
        principal.purpose,
        principal.subject,
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """A graphql-transport-ws message serialized once for every member: the JSON that follows
    the operation id, which each member writes in front of it."""

    body: str
    position: int = 0  # the event's outbox position; 0: not an event
    final: bool = False  # a `complete` or `error`: the operation ends with it

    @classmethod
    def next(cls, result: ExecutionResult, position: int) -> Frame:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        return cls(_body("next", payload), position)

    @classmethod
    def error(cls, errors: list[GraphQLError]) -> Frame:
        return cls(_body("error", [error.formatted for error in errors]), final=True)


def _body(kind: str, payload: object) -> str:
    message = orjson.dumps({"type": kind, "payload": payload}).decode()
    return message[1:]  # without the opening brace: the member writes `{"id":...,` first


COMPLETE = Frame('"type":"complete"}', final=True)
# What a lone subscriber whose queue overflowed gets (`SubscriberTooSlow`, masked): this error,
# then `complete`.
_TOO_SLOW_ERROR = classify(GraphQLError("too slow", original_error=SubscriberTooSlow()))
TOO_SLOW = Frame(_body("next", {"data": None, "errors": [_TOO_SLOW_ERROR.formatted]}))


@dataclass(eq=False)
class Member:
    """One subscriber's operation in a group: the frames its socket task has yet to send."""

    capacity: int
    after: int | None = None  # frames of events at or below it are not for it; None: joining
    pending: deque[Frame] = field(default_factory=deque)
    overflowed: bool = False
    # Set while the socket task waits for a frame. A plain future, not an asyncio.Queue: an
    # offer to each of 500 members is one append and at most one wake-up.
    _waiter: asyncio.Future[None] | None = None

    def offer(self, frame: Frame) -> None:
        if self.overflowed:
            return
        if len(self.pending) < self.capacity:
            self.pending.append(frame)
        else:
            # Ended rather than silently skip events, as a lone subscriber is.
            self.overflowed = True
            self.pending.clear()
            self.pending.extend((TOO_SLOW, COMPLETE))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def frames(self) -> AsyncIterator[Frame]:
        """The group's frames for this member, up to and including the final one; every
        frame that is waiting is yielded before the next wait."""
        while True:
            while not self.pending:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
            frame = self.pending.popleft()
            if self.after is not None and 0 < frame.position <= self.after:
                continue
            yield frame
            if frame.final:
                return


class _Group:
    """Runs one subscription for its members and hands each result to all of them."""

    def __init__(self, schema: BaseSchema, key: GroupKey, context: SubscriptionContext) -> None:
        self.members: set[Member] = set()
        # The group's own context: the resolvers tell it where they follow from and which
        # event they yield. Its principal is the first member's: alike in all that decides.
        self.context = SubscriptionContext(
            websocket=context.websocket,
            settings=context.settings,
            db=context.db,
            events=context.events,
            request_id=context.request_id,
        )
        assert context.principal is not None
        self.context.authenticated(context.principal)
        self.started = asyncio.Event()  # following events, or ended before it could
        self.ended = False
        self.task = asyncio.create_task(self._run(schema, key), name="c360-subscription-group")

    @property
    def following(self) -> bool:
        return self.context.following is not None and not self.ended

    def _send(self, frame: Frame) -> None:
        for member in self.members:
            member.offer(frame)

    def _end(self, *frames: Frame) -> None:
        # Ended before the last frames go out: whoever joins from now on starts a new group
        # (closing the stream still awaits, and a joiner then would wait for ever).
        self.ended = True
        for frame in frames:
            self._send(frame)

    async def _run(self, schema: BaseSchema, key: GroupKey) -> None:
        waiting = asyncio.create_task(self.context.subscribed.wait())
        waiting.add_done_callback(lambda _: self.started.set())
        try:
            variables = orjson.loads(key.variables)
            stream = await schema.stream(
                key.query,
                variable_values=variables,
                context_value=self.context,
                operation_name=key.operation_name,
            )
            async with aclosing(stream):
                async for result in stream:
                    if isinstance(result, PreExecutionError):
                        self._end(Frame.error(result.errors or []))
                        return
                    if not isinstance(result, ExecutionResult):
                        message = "Incremental delivery is not supported over graphql-transport-ws"
                        self._end(Frame.error([GraphQLError(message)]))
                        return
                    # A result without data is an error (a refusal, an overflow, one bad
                    # event): for every member, however late it joined.
                    position = self.context.position if result.data is not None else 0
                    self._send(Frame.next(result, position))
            self._end(COMPLETE)
        except Exception as error:
            # As Strawberry's handler does for a lone subscriber: logged, then completed.
            log.warning("subscription group failed", error=type(error).__name__)
            self._end(COMPLETE)
        finally:
            self.ended = True
            waiting.cancel()
            self.started.set()


class SubscriptionFanout:
    """The groups of one serving process (one per `/graphql` WebSocket endpoint)."""

    def __init__(self, schema: BaseSchema, *, queue_capacity: int) -> None:
        self.schema = schema
        self.queue_capacity = queue_capacity
        self._groups: dict[GroupKey, _Group] = {}

    @property
    def subscribers(self) -> int:
        """Members of groups that follow events (what a test waits for before it commits)."""
        return sum(
            sum(member.after is not None for member in group.members)
            for group in self._groups.values()
            if group.following
        )

    @contextlib.asynccontextmanager
    async def join(self, key: GroupKey, context: SubscriptionContext) -> AsyncIterator[Member]:
        """Membership for the block's lifetime, to events committed after it began."""
        group = self._groups.get(key)
        if group is None or group.ended:
            group = self._groups[key] = _Group(self.schema, key, context)
        joined_late = group.started.is_set()
        member = Member(self.queue_capacity)
        group.members.add(member)
        try:
            await group.started.wait()
            # A group that already followed may hold events committed before this member
            # subscribed; one that starts with it follows only from its own start.
            member.after = await context.events.newest() if joined_late else 0
            yield member
        finally:
            group.members.discard(member)
            if not group.members:
                if self._groups.get(key) is group:
                    del self._groups[key]
                group.task.cancel()
