"""Persisted operations: each registered operation is known by the SHA-256 of its text.

The hash is Apollo's persisted-query hash: the hex SHA-256 of the exact document text a client
sends. `register` splits a `.graphql` file into one document per operation (the operation and
the fragments it uses, printed canonically), so a client holding the same documents computes
the same hashes. Apollo Client adds `__typename` to every selection set before it hashes (its
default cache needs it), so each operation is also registered in that form.
`PersistedOperations` answers lookups from an in-process copy of the table.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
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
    """One operation of a registered file: its name (if any), its own document's text, and
    that text as Apollo Client sends it (`__typename` added)."""

    name: str | None
    document: str
    apollo_document: str

    @property
    def sha256(self) -> str:
        return operation_hash(self.document)

    @property
    def apollo_sha256(self) -> str:
        return operation_hash(self.apollo_document)

    def documents(self) -> list[str]:
        """The texts a client may send for this operation (one when they are the same)."""
        return list(dict.fromkeys((self.document, self.apollo_document)))


_TYPENAME = FieldNode(
    alias=None, name=NameNode(value="__typename"), arguments=(), directives=(), selection_set=None
)


class _ApolloTypenames(Visitor):
    """Apollo Client's `addTypenameToDocument`: `__typename` last in every selection set but an
    operation's root, unless the set has it, is introspection, or belongs to an @export field."""

    def enter_selection_set(
        self, node: SelectionSetNode, _key: object, parent: object, *_args: object
    ) -> SelectionSetNode | None:
        if isinstance(parent, OperationDefinitionNode):
            return None
        if any(
            isinstance(selection, FieldNode) and selection.name.value.startswith("__")
            for selection in node.selections
        ):
            return None
        if isinstance(parent, FieldNode) and any(
            directive.name.value == "export" for directive in parent.directives or ()
        ):
            return None
        return SelectionSetNode(selections=(*node.selections, _TYPENAME))


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
        apollo = visit(own, _ApolloTypenames())
        operation_name = node.name.value if node.name else None
        operations.append(Operation(operation_name, print_ast(own), print_ast(apollo)))
    if not operations:
        raise InvalidInputError("the file holds no operation")
    return operations


async def register(db: Database, text: str) -> tuple[list[Operation], list[Operation]]:
    """Store each operation of `text` (as written and as Apollo Client sends it); returns
    (all its operations, those with a text stored now)."""
    operations = operations_in(text)
    rows = {
        operation_hash(document): PersistedOperation(
            sha256=operation_hash(document), name=op.name, document=document
        )
        for op in operations
        for document in op.documents()
    }
    async with db.transaction() as session:
        new = await repo.add_missing_operations(session, operations=list(rows.values()))
    new_hashes = {row.sha256 for row in new}
    return operations, [
        op for op in operations if {operation_hash(d) for d in op.documents()} & new_hashes
    ]


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
