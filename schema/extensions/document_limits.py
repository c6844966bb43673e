"""Limits checked on the parsed document, before validation: selections, aliases, repeats.

Validation costs time in proportion to a document's selections, and graphql-core's check that
same-named fields can be merged in proportion to the *square* of the repeats of a name: 700
`__typename` selections took 100 ms, 480 `emails { address }` 1.7 s. One walk of the operation
to run counts its selections (fields, fragment spreads, inline fragments; a fragment once per
spread, walked once) and aliases, and the repeats of each response name in a selection set
(through fragments, as the merge check sees them); a document over a limit is refused before
validation, for the cost of that walk. The merge check's own budget is lowered too, to a bound
realistic operations stay far below (they spend under 100 units; graphql-core allows 500,000).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import SchemaExtension

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# Units of graphql-core's merge check: 20x what the largest operation we know of spends.
MERGE_CHECK_BUDGET = 2_000
# Selections of one response name in one selection set: fragments that overlap repeat a few
# fields (`id`, `__typename`); nothing real repeats one 20 times.
MAX_REPEATS = 20


def limit_merge_check() -> None:
    """Lower graphql-core's budget for comparing same-named fields (a process-wide setting it
    documents as meant to be tuned); past it, validation stops with "Validation aborted."."""
    overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = MERGE_CHECK_BUDGET


@dataclass
class _Tally:
    selections: int = 0
    aliases: int = 0

    def add(self, other: _Tally) -> None:
        self.selections += other.selections
        self.aliases += other.aliases


class _Walk:
    """One operation's selections and aliases, fragments expanded where they are spread."""

    def __init__(self, document: DocumentNode, max_selections: int) -> None:
        self.max_selections = max_selections
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._tallies: dict[str, _Tally] = {}
        self._names: dict[str, Counter[str]] = {}
        self._expanding: set[str] = set()

    def tally(self, selections: SelectionSetNode | None) -> _Tally:
        total = _Tally()
        if selections is None:
            return total
        self._check_repeats(selections)
        for selection in selections.selections:
            total.selections += 1
            if isinstance(selection, FieldNode):
                total.aliases += selection.alias is not None
                total.add(self.tally(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                total.add(self.tally(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self._fragment_tally(selection.name.value))
            if total.selections > self.max_selections:
                break  # over already: a fragment bomb would take long to finish counting
        return total

    def _fragment_tally(self, name: str) -> _Tally:
        if name not in self._tallies:
            fragment = self.fragments.get(name)
            if fragment is None or name in self._expanding:
                return _Tally()  # unknown or circular: validation reports it
            self._expanding.add(name)
            self._tallies[name] = self.tally(fragment.selection_set)
            self._expanding.discard(name)
        return self._tallies[name]

    def _check_repeats(self, selections: SelectionSetNode) -> None:
        repeated = self._response_names(selections).most_common(1)
        if repeated and repeated[0][1] > MAX_REPEATS:
            name, count = repeated[0]
            raise GraphQLError(
                f"'{name}' is selected {count} times in one selection set; at most"
                f" {MAX_REPEATS} are allowed",
                extensions={"code": QUERY_TOO_COMPLEX},
            )

    def _response_names(self, selections: SelectionSetNode) -> Counter[str]:
        """Response names of a selection set's fields, through its fragments."""
        names: Counter[str] = Counter()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                names[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, InlineFragmentNode):
                names.update(self._response_names(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                names.update(self._fragment_names(selection.name.value))
        return names

    def _fragment_names(self, name: str) -> Counter[str]:
        if name not in self._names:
            fragment = self.fragments.get(name)
            if fragment is None or name in self._expanding:
                return Counter()
            self._expanding.add(name)
            self._names[name] = self._response_names(fragment.selection_set)
            self._expanding.discard(name)
        return self._names[name]


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


def check_document_limits(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    *,
    max_selections: int,
    max_aliases: int,
) -> None:
    """Raise a GraphQLError (with its code) if `operation` is over a limit."""
    tally = _Walk(document, max_selections).tally(operation.selection_set)
    if tally.selections > max_selections:
        raise GraphQLError(
            f"the operation has more than {max_selections} selections (fields and fragments);"
            " ask for fewer",
            extensions={"code": QUERY_TOO_COMPLEX, "maxSelections": max_selections},
        )
    if tally.aliases > max_aliases:
        raise GraphQLError(
            f"{tally.aliases} aliases found (fragments counted once per spread);"
            f" at most {max_aliases} are allowed",
            extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
        )


def document_limiter(*, max_selections: int, max_aliases: int) -> type[SchemaExtension]:
    """A schema extension class enforcing these limits right after parsing."""

    class DocumentLimits(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            yield
            context = self.execution_context
            document = context.graphql_document
            operation = _operation(document, context.operation_name) if document else None
            if document is not None and operation is not None:
                # Raised here, it ends the request before validation.
                check_document_limits(
                    document, operation, max_selections=max_selections, max_aliases=max_aliases
                )

    return DocumentLimits
