"""Apollo's persisted-query request shape (`extensions.persistedQuery.sha256Hash`), served from
the registered operations; in persisted-operations mode nothing else runs.

With the mode off, a registered hash runs its operation and anything else runs as sent (an
unknown hash without the text is `PERSISTED_QUERY_NOT_FOUND`, so an APQ client resends the text;
the server never registers operations on a client's say-so). With the mode on, only registered
operations run: an unknown hash is `PERSISTED_QUERY_NOT_FOUND`, any other text
`PERSISTED_QUERY_REQUIRED`.
"""

from __future__ import annotations

import re
from typing import Any

from app.operations.persisted import PersistedOperations, operation_hash

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryRejected(Exception):
    """A request the persisted-query rules refuse, with its error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash of `extensions.persistedQuery`, if the request names one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version", 1) != 1:
        raise PersistedQueryRejected(
            "`extensions.persistedQuery` must be {version: 1, sha256Hash}", "BAD_REQUEST"
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise PersistedQueryRejected(
            "`persistedQuery.sha256Hash` must be 64 lower-case hex digits", "BAD_REQUEST"
        )
    return sha256


async def resolve_operation(
    operation: dict[str, Any], registry: PersistedOperations, *, required: bool
) -> dict[str, Any]:
    """The operation to run: `operation` with the registered text for its hash, if it has one."""
    query: str | None = operation["query"]
    sha256 = requested_hash(operation["extensions"])
    if sha256 is None:
        if query is None:
            raise PersistedQueryRejected("`query` must be a non-empty string", "BAD_REQUEST")
        if required and await registry.document(operation_hash(query)) is None:
            raise PersistedQueryRejected(
                "only registered operations run on this server: send a registered "
                "extensions.persistedQuery.sha256Hash",
                "PERSISTED_QUERY_REQUIRED",
            )
        return operation
    if query is not None and operation_hash(query) != sha256:
        raise PersistedQueryRejected(
            "the query text does not match persistedQuery.sha256Hash", "BAD_REQUEST"
        )
    document = await registry.document(sha256)
    if document is not None:
        return {**operation, "query": document}
    if query is not None and not required:
        return operation
    raise PersistedQueryRejected(
        "PersistedQueryNotFound: no operation is registered with this hash",
        "PERSISTED_QUERY_NOT_FOUND",
    )
