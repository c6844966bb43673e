"""Who is changing the golden record right now: the principal and request id every change-log
entry carries, set once where a request or a command starts (not passed through every call)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class ChangeActor:
    """The principal (API key id, `cli`, `webhook:<system>`...) and the request id, if any."""

    principal: str = "system"
    request_id: str | None = None


_SYSTEM = ChangeActor()
_actor: ContextVar[ChangeActor | None] = ContextVar("c360_change_actor", default=None)


def current_actor() -> ChangeActor:
    """The actor of the code running now (`system` when nothing set one)."""
    return _actor.get() or _SYSTEM


@contextmanager
def acting_as(principal: str | None = None, request_id: str | None = None) -> Iterator[None]:
    """Within the block, changes are attributed to `principal` (and `request_id`); a value left
    out keeps what an outer block set (the request id is set before the principal is known)."""
    outer = current_actor()
    token = _actor.set(
        replace(
            outer,
            principal=principal or outer.principal,
            request_id=request_id or outer.request_id,
        )
    )
    try:
        yield
    finally:
        _actor.reset(token)
