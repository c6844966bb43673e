"""One step of following `merged_into` tombstones to the live customer (ORM rows or Core rows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar


class _Merged(Protocol):
    @property
    def merged_into(self) -> Any: ...


Row = TypeVar("Row", bound=_Merged)


def next_ids(pending: Mapping[str, Row]) -> set[str]:
    """The ids the pending rows were merged into (to read next)."""
    return {row.merged_into for row in pending.values() if row.merged_into}


def follow_hop(
    pending: Mapping[str, Row], survivors: Mapping[str, Row], result: dict[str, Row]
) -> dict[str, Row]:
    """Settle each requested id whose row is live into `result`; move the others one hop
    along `merged_into` (an id whose target is gone drops out); the ids still pending."""
    still: dict[str, Row] = {}
    for requested, row in pending.items():
        if row.merged_into is None:
            result[requested] = row
        elif row.merged_into in survivors:
            still[requested] = survivors[row.merged_into]
    return still
