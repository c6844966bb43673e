"""Enums of the source-data fields."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="How a source system answered for this customer in this request.")
class SourceStatus(Enum):
    OK = "OK"
    STALE = "STALE"
    TIMEOUT = "TIMEOUT"
    ERROR = "ERROR"
    RATE_LIMITED = "RATE_LIMITED"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    NOT_LINKED = "NOT_LINKED"


@strawberry.enum(description="Whether a support ticket is still being worked on.")
class TicketStatus(Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
