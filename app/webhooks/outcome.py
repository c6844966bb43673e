"""What a webhook delivery came to, and why one was refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class WebhookRefused(Exception):
    """A delivery the gateway will not process; `status` is the HTTP answer (never 500)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class EventResult(StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    QUEUED = "queued"
    IGNORED = "ignored"


@dataclass
class Outcome:
    """One result per event of the delivery (HubSpot batches several)."""

    results: list[EventResult] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return {"results": [result.value for result in self.results]}
