"""Run a connector's sub-requests concurrently and fail like a single call would."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from connectors.errors import ConnectorError

T = TypeVar("T")


async def gather_or_raise(calls: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Await all `calls` concurrently, in order; on the first failure cancel the rest.

    The caller gets one `ConnectorError` (the first), not an ExceptionGroup: a batch that
    fails half-way is a failed batch, and the per-system pool already bounds concurrency.
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failures:
        first = _first_leaf(failures)
        if isinstance(first, ConnectorError):
            raise first from None
        raise
    return [task.result() for task in tasks]


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    leaf = group.exceptions[0]
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf


def chunked(items: list[T], size: int) -> list[list[T]]:
    """`items` in consecutive slices of at most `size`."""
    return [items[start : start + size] for start in range(0, len(items), size)]
