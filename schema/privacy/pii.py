"""Marking a field as personal data, once: `pii(kind)` masks it for roles without PII access,
audits raw reads, and shows as `@pii(kind: ...)` in the SDL.

The mark is the `@pii` directive; `mask_pii_fields(schema)` then wraps each marked field's
resolver once, when the schema is built. A plain field stays a plain attribute read (by
`schema.lean_execution`, which calls the same `reveal` itself), and the access decision is one
call per resolved value (a Strawberry field extension on each of them cost its whole extension
machinery: a customers(first: 50) page resolves 100 personal-data fields).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema_directive import Location

from app.privacy.masking import PiiKind
from schema.core_schema import graphql_core_schema
from schema.lean_execution import LEAN_ATTRIBUTE, LEAN_REVEAL


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Personal data: masked for roles without PII access; raw reads are audited.",
)
class Pii:
    kind: str


def _customer_id(source: Any) -> str:
    # Customer objects carry their id; objects hanging off a customer carry `customer_id`.
    customer_id: str = getattr(source, "customer_id", None) or source.id
    return customer_id


def pii(kind: PiiKind, description: str | None = None) -> Any:
    """A `strawberry.field` holding personal data of `kind`."""
    return strawberry.field(description=description, directives=[Pii(kind=kind.value)])


def pii_extensions(kind: PiiKind) -> dict[str, Any]:
    """Keyword arguments marking a resolver field (`@strawberry.field(**pii_extensions(...))`)."""
    return {"directives": [Pii(kind=kind.value)]}


def _masked(
    resolve: Callable[..., Any], kind: PiiKind, field_name: str, attribute: str | None
) -> Callable[..., Any]:
    """`resolve`, with its value passed through the request's access rules."""

    def reveal(source: Any, context: Any, value: Any) -> Any:
        # An object whose values vary in kind (a change-log entry) names its own, or None.
        actual = getattr(source, "pii_kind", kind)
        if actual is None:
            return value
        field = f"{type(source).__name__}.{field_name}"
        return context.access.reveal(_customer_id(source), field, value, actual)

    def resolver(source: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        value = resolve(source, info, **kwargs)
        if inspect.isawaitable(value):
            return _reveal_later(reveal, source, info.context, value)
        return reveal(source, info.context, value)

    # For a plain attribute, the lean executor reads it and calls `reveal` itself; for anything
    # else (None), it leaves the field to this resolver.
    setattr(resolver, LEAN_ATTRIBUTE, attribute)
    setattr(resolver, LEAN_REVEAL, reveal)
    return resolver


async def _reveal_later(
    reveal: Callable[[Any, Any, Any], Any], source: Any, context: Any, value: Any
) -> Any:
    return reveal(source, context, await value)


def mask_pii_fields(schema: strawberry.Schema) -> None:
    """Wrap the resolver of every `@pii` field of `schema` (once, when the schema is built)."""
    for graphql_type in graphql_core_schema(schema).type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            definition = schema.get_field_for_type(name, graphql_type.name)
            marks = [d for d in getattr(definition, "directives", ()) if isinstance(d, Pii)]
            if marks and definition is not None and field.resolve is not None:
                plain = definition.is_basic_field and not field.args
                attribute = definition.python_name if plain else None
                field.resolve = _masked(field.resolve, PiiKind(marks[0].kind), name, attribute)
