"""The gateway's own errors: each carries the `extensions.code` a GraphQL client sees.

Domain code raises these; the GraphQL layer turns them into errors with `extensions.code`, and
anything that is not one of them is masked as `INTERNAL`.
"""

from __future__ import annotations

from typing import Any


class C360Error(Exception):
    """Base class: an error whose message is safe to show to the caller."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class InvalidInputError(C360Error):
    """The caller sent a value the gateway cannot accept (bad email, phone, page size...)."""

    code = "BAD_USER_INPUT"


class NotFoundError(C360Error):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    code = "NOT_FOUND"


class ConflictError(C360Error):
    """The write conflicts with the stored state (stale version, identity already linked...)."""

    code = "CONFLICT"


class ForbiddenError(C360Error):
    """The caller's role does not allow this."""

    code = "FORBIDDEN"


class UnauthenticatedError(C360Error):
    """No valid principal came with the request."""

    code = "UNAUTHENTICATED"


class ConsentRequiredError(C360Error):
    """The caller's purpose needs a consent the customer has not granted."""

    code = "CONSENT_REQUIRED"


class SourceUnavailableError(C360Error):
    """A source system did not answer usefully; `source` names it."""

    code = "SOURCE_UNAVAILABLE"

    def __init__(self, message: str, *, source: str, status: str, **extensions: Any) -> None:
        super().__init__(message, source=source, status=status, **extensions)
        self.source = source
        self.status = status


class SuppressedError(C360Error):
    """The identity belongs to a person who was erased: it may not come back."""

    code = "SUPPRESSED"


class ServiceUnavailableError(C360Error):
    """The gateway cannot serve now (its database does not answer): retry after a pause."""

    code = "SERVICE_UNAVAILABLE"
    retry_after_seconds = 5


DATABASE_UNAVAILABLE = ServiceUnavailableError(
    "the service is temporarily unavailable (its database does not answer); retry later"
)
