"""Persisted operations: each registered operation is known by the SHA-256 of its text.

The hash is Apollo's persisted-query hash: the hex SHA-256 of the exact document text a client
sends. `register` splits a `.graphql` file into one document per operation (the operation and
the fragments it uses, printed canonically), so a client holding the same documents computes
the same hashes. `PersistedOperations` answers lookups from an in-process copy of the table.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from app.errors import InvalidInputError
from app.store.db import Database
from app.store.models import PersistedOperation
from app.store.repositories import persisted_operations as repo

# A miss reloads the table at most this often, so a flood of unknown hashes costs no queries
# while an operation registered from another process becomes runnable within this delay.
RELOAD_INTERVAL_SECONDS = 5.0


def operation_hash(document: str) -> str:
    """The Apollo persisted-query hash of a document's text."""
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a registered file: its name (if any) and its own document's text."""

    name: str | None
    document: str

    @property
    def sha256(self) -> str:
        return operation_hash(self.document)


class _SpreadNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: object) -> set[str]:
    visitor = _SpreadNames()
    visit(node, visitor)  # type: ignore[arg-type]
    return visitor.names


def operations_in(text: str) -> list[Operation]:
    """Each operation of a `.graphql` file, with the fragments it uses, as its own document."""
    try:
        document = parse(text)
    except GraphQLSyntaxError as error:
        raise InvalidInputError(f"the file is not a GraphQL document: {error.message}") from None
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    operations: list[Operation] = []
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        used: list[str] = []
        pending = sorted(_spreads(node))
        while pending:
            name = pending.pop(0)
            if name in used or name not in fragments:
                continue
            used.append(name)
            pending += sorted(_spreads(fragments[name]) - set(used))
        own = DocumentNode(definitions=(node, *(fragments[name] for name in sorted(used))))
        operations.append(Operation(node.name.value if node.name else None, print_ast(own)))
    if not operations:
        raise InvalidInputError("the file holds no operation")
    return operations


async def register(db: Database, text: str) -> tuple[list[Operation], list[Operation]]:
    """Store each operation of `text`; returns (all its operations, the newly stored ones)."""
    operations = operations_in(text)
    async with db.transaction() as session:
        new = await repo.add_missing_operations(
            session,
            operations=[
                PersistedOperation(sha256=op.sha256, name=op.name, document=op.document)
                for op in operations
            ],
        )
    new_hashes = {row.sha256 for row in new}
    return operations, [op for op in operations if op.sha256 in new_hashes]


class PersistedOperations:
    """Registered documents by hash, cached in-process (registrations are never changed)."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._clock = clock
        self._documents: dict[str, str] = {}
        self._loaded_at: float | None = None

    async def document(self, sha256: str) -> str | None:
        """The registered document with this hash, or None."""
        found = self._documents.get(sha256)
        if found is not None:
            return found
        now = self._clock()
        if self._loaded_at is None or now - self._loaded_at >= RELOAD_INTERVAL_SECONDS:
            self._loaded_at = now
            async with self._db.session() as session:
                rows = await repo.all_operations(session)
            self._documents = {row.sha256: row.document for row in rows}
        return self._documents.get(sha256)
