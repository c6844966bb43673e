"""Which source kinds an operation asks for, read from its document (once per request)."""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from app.graph import SOURCE_FIELDS, SourceKind
from schema.context import Info


def _field_names(info: Info) -> set[str]:
    raw = info._raw_info
    names: set[str] = set()
    seen_fragments: set[str] = set()
    pending: list[SelectionSetNode | None] = [raw.operation.selection_set]
    while pending:
        selection_set = pending.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = raw.fragments.get(name)
                if fragment is not None and name not in seen_fragments:
                    seen_fragments.add(name)
                    pending.append(fragment.selection_set)
    return names


def requested_source_kinds(info: Info) -> frozenset[SourceKind]:
    """The source kinds some field of this operation reads (over-approximated by name)."""
    cache: dict[int, frozenset[SourceKind]] = info.context.requested_kinds
    key = id(info._raw_info.operation)
    if key not in cache:
        names = _field_names(info)
        cache[key] = frozenset(k for name in names for k in SOURCE_FIELDS.get(name, ()))
    return cache[key]
