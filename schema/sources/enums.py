"""Enums of the source-data fields."""

from __future__ import annotations

from enum import Enum

import strawberry

from app import graph
from schema.enums import mirror_enum

SourceStatus = mirror_enum(
    graph.SourceStatus,
    "SourceStatus",
    "How a source system answered for this customer in this request.",
)


@strawberry.enum(description="Whether a support ticket is still being worked on.")
class TicketStatus(Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
