"""The kinds of change event the gateway emits."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    PROFILE_CHANGED = "profile_changed"  # golden-record fields or contact points
    CONSENT_CHANGED = "consent_changed"
    INTERACTION_RECORDED = "interaction_recorded"
    SURVEY_ANSWERED = "survey_answered"
    TICKET_CHANGED = "ticket_changed"  # opened, updated or deleted in a CRM or support desk
    METRIC_CHANGED = "metric_changed"
    MERGED = "merged"
    UNMERGED = "unmerged"
    ERASED = "erased"


CONSENT_FREE_KINDS = frozenset({EventKind.ERASED})
"""Kinds a consent-gated purpose still receives: an erasure must reach every copy."""
