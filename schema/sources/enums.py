"""Enums of the source-data fields."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from app import graph
from schema.enums import mirror_enum

if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    SourceStatus = graph.SourceStatus
else:
    SourceStatus = mirror_enum(
        graph.SourceStatus,
        "SourceStatus",
        "How a source system answered for this customer in this request.",
    )


@strawberry.enum(description="Whether a support ticket is still being worked on.")
class TicketStatus(Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
