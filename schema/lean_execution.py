"""Plain leaf fields resolved without graphql-core's per-field machinery.

graphql-core walks every field the same way: a `Path`, a `GraphQLResolveInfo`, Strawberry's
wrapper around the attribute read, `is_awaitable` twice, then `complete_value` down to the
scalar's coercion: ~15 Python calls for `segment`, most of a page's cost (a `customers(first:
50)` page is ~300 such fields). `LeanExecutionContext` reads a field straight off its object
when the field was found, once at schema build, to be a plain attribute of a scalar or enum
type: Strawberry's default attribute read, a `@pii` field's masking wrapper around one (the
same `reveal` call, so masking, redactions and the read audit see exactly the fields selected)
or a relay node's `id`. A plain attribute holding an object or a list of objects (a
connection's `edges`, an edge's `node`) is completed the same way: the sub-selection is
executed on each object directly, without graphql-core's `execute_field` / `complete_value` /
`complete_object_value` chain per object. Anything unusual on the way (a null for a non-null
field, a value the scalar does not take, an object of another class, a directive on the field)
goes down graphql-core's own path, which raises the error it always did.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry import Schema
from strawberry.relay import Node, to_base64

# Strawberry exports no execution context to extend; this is the one its `Schema` uses by
# default, which keeps its own behaviour (operation extensions, its `Info`) under ours.
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core_schema import graphql_core_schema

# Where a type's plans live: in its graphql-core `extensions`.
PLANS_KEY = "c360-lean-fields"
# What a resolver wrapper (the `@pii` one) sets, always: the attribute its value is, passed
# through the function of (source, context, value) it sets as LEAN_REVEAL; None when its value
# is not a plain attribute read (the field is then left to graphql-core).
LEAN_ATTRIBUTE = "_c360_lean_attribute"
LEAN_REVEAL = "_c360_lean_reveal"

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_MISS = object()


@dataclass(frozen=True, slots=True)
class LeafPlan:
    """How to read one plain leaf field of one object type."""

    attribute: str
    nullable: bool
    # (value) -> the serialized value, or _MISS to take graphql-core's path.
    coerce: Callable[[Any], Any]
    # (source, context, value) -> the value to serialize (masking), if any.
    reveal: Callable[[Any, Any, Any], Any] | None = None
    # A relay node's id: the type name it is encoded with, and the class it holds for.
    node_of: type | None = None
    node_type_name: str = ""


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    """How to complete one plain attribute holding an object, or a list of objects."""

    attribute: str
    return_type: GraphQLOutputType
    object_type: GraphQLObjectType
    nullable: bool
    # Strawberry's own `is_type_of` for a type with interfaces (it never reads its `info`).
    is_type_of: Callable[[Any, Any], Any] | None
    # For a list: the item's type and whether an item may be null.
    item_type: GraphQLOutputType | None = None
    item_nullable: bool = False


def _coerce_str(value: Any) -> Any:
    return value if type(value) is str else _MISS


def _coerce_bool(value: Any) -> Any:
    return value if type(value) is bool else _MISS


def _coerce_int(value: Any) -> Any:
    return value if type(value) is int and _INT_MIN <= value <= _INT_MAX else _MISS


def _coerce_float(value: Any) -> Any:
    return value if type(value) is float and math.isfinite(value) else _MISS


def _coerce_with(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """The scalar's or enum's own coercion; an error or a null result takes the slow path."""
    coerce = leaf.coerce_output_value
    # Strawberry's enum coercion scans the values for the member's; a dict is one lookup.
    wrapped = getattr(leaf, "wrapped_cls", None)
    names: dict[Any, str] = {}
    if isinstance(leaf, GraphQLEnumType) and isinstance(wrapped, type):
        names = {
            member: name
            for name, value in leaf.values.items()
            for member in wrapped  # type: ignore[attr-defined]
            if member.value == value.value
        }

    def coerced(value: Any) -> Any:
        if type(value) is wrapped and value in names:
            return names[value]
        try:
            out = coerce(value)
        except Exception:
            return _MISS
        return _MISS if out is None or out is Undefined else out

    return coerced


_BUILTIN_COERCIONS: dict[Any, Callable[[Any], Any]] = {
    GraphQLString: _coerce_str,
    GraphQLID: _coerce_str,
    GraphQLBoolean: _coerce_bool,
    GraphQLInt: _coerce_int,
    GraphQLFloat: _coerce_float,
}


def _leaf_plan(
    schema: Schema, object_type: GraphQLObjectType, name: str, field: Any
) -> LeafPlan | None:
    field_type = field.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    leaf = field_type if nullable else field_type.of_type
    if field.args or not isinstance(leaf, GraphQLLeafType):
        return None
    definition = schema.get_field_for_type(name, object_type.name)
    if definition is None:
        return None
    coerce = _BUILTIN_COERCIONS.get(leaf) or _coerce_with(leaf)
    resolve = field.resolve
    if hasattr(resolve, LEAN_ATTRIBUTE):
        attribute = getattr(resolve, LEAN_ATTRIBUTE)
        if attribute is None:
            return None
        return LeafPlan(attribute, nullable, coerce, reveal=getattr(resolve, LEAN_REVEAL))
    if definition.is_basic_field:
        # No resolver, no field extension (permission classes are one): an attribute read.
        return LeafPlan(definition.python_name, nullable, coerce)
    return _node_id_plan(schema, object_type, definition, nullable)


def _node_id_plan(
    schema: Schema, object_type: GraphQLObjectType, definition: Any, nullable: bool
) -> LeafPlan | None:
    """A relay node's `id`, when its class keeps Strawberry's own id and type name rules."""
    type_definition = schema.get_type_by_name(object_type.name)
    origin = getattr(type_definition, "origin", None)
    if (
        definition.python_name != "_id"
        or not isinstance(origin, type)
        or not issubclass(origin, Node)
        or origin.resolve_id.__func__ is not Node.resolve_id.__func__  # type: ignore[attr-defined]
        or origin.resolve_typename.__func__ is not Node.resolve_typename.__func__  # type: ignore[attr-defined]
    ):
        return None
    # `Node._id` encodes (path typename, getattr(root, id attr)) for a root of the class.
    return LeafPlan(
        origin.resolve_id_attr(),
        nullable,
        _coerce_str,
        node_of=origin,
        node_type_name=object_type.name,
    )


def _object_plan(
    schema: Schema, object_type: GraphQLObjectType, name: str, field: Any
) -> ObjectPlan | None:
    """A plain attribute holding an object type, or a list of one (not abstract)."""
    definition = schema.get_field_for_type(name, object_type.name)
    if field.args or definition is None or not definition.is_basic_field:
        return None
    return_type = field.type
    nullable = not isinstance(return_type, GraphQLNonNull)
    inner = return_type if nullable else return_type.of_type
    item_type, item_nullable = None, False
    if isinstance(inner, GraphQLList):
        item_type = inner.of_type
        item_nullable = not isinstance(item_type, GraphQLNonNull)
        inner = item_type if item_nullable else item_type.of_type
    if not isinstance(inner, GraphQLObjectType):
        return None
    type_definition = schema.get_type_by_name(inner.name)
    if type_definition is None or getattr(type_definition, "is_type_of", None) is not None:
        return None  # a type's own `is_type_of` may read the `info` this path does not build
    return ObjectPlan(
        definition.python_name,
        return_type,
        inner,
        nullable,
        inner.is_type_of,
        item_type,
        item_nullable,
    )


def plan_lean_fields(schema: Schema) -> None:
    """Find, once per schema, the fields `LeanExecutionContext` may read directly."""
    for graphql_type in graphql_core_schema(schema).type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        plans: dict[str, LeafPlan | ObjectPlan] = {}
        for name, field in graphql_type.fields.items():
            plan = _leaf_plan(schema, graphql_type, name, field) or _object_plan(
                schema, graphql_type, name, field
            )
            if plan is not None:
                plans[name] = plan
        if plans:
            extensions = dict(graphql_type.extensions or {})
            extensions[PLANS_KEY] = plans
            graphql_type.extensions = extensions


async def _gathered(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """`results` with its awaitables awaited, as graphql-core's `execute_fields` does."""
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with planned leaf fields read directly."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plans: dict[str, LeafPlan | ObjectPlan] | None = (
            parent_type.extensions.get(PLANS_KEY) if parent_type.extensions else None
        )
        middleware = self.middleware_manager
        if not plans or (middleware is not None and middleware.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # graphql-core's loop (executor.py `execute_fields`), with the planned fields first.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        context = self.context_value
        try:
            for response_name, field_details_list in grouped_field_set.items():
                plan = plans.get(field_details_list[0].node.name.value)
                if isinstance(plan, LeafPlan):
                    value = self._read(plan, source_value, context)
                    if value is not _MISS:
                        results[response_name] = value
                        continue
                elif isinstance(plan, ObjectPlan):
                    value = self._complete_objects(
                        plan,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                    )
                    if value is not _MISS:
                        results[response_name] = value
                        if is_awaitable(value):
                            awaitable_fields.append(response_name)
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gathered(results, awaitable_fields)

    @staticmethod
    def _read(plan: LeafPlan, source: Any, context: Any) -> Any:
        """The field's serialized value, or `_MISS` for graphql-core's path (errors, nulls...)."""
        if plan.node_of is not None:
            if not isinstance(source, plan.node_of):
                return _MISS
            node_id = getattr(source, plan.attribute, None)
            if node_id is None or type(node_id) is not str:
                return _MISS
            return to_base64(plan.node_type_name, node_id)
        value = getattr(source, plan.attribute, _MISS)
        if value is _MISS:
            return _MISS
        if plan.reveal is not None:
            value = plan.reveal(source, context, value)
        if value is None:
            return None if plan.nullable else _MISS
        return plan.coerce(value)

    def _complete_objects(
        self, plan: ObjectPlan, source: Any, field_details_list: Any, path: Path
    ) -> Any:
        """The field's completed object(s), or `_MISS` before anything ran if it is unusual.

        Errors are handled where graphql-core handles them: an object's non-null field error
        nulls the nearest nullable list item or field, recorded at its path.
        """
        value = getattr(source, plan.attribute, _MISS)
        if value is None:
            return None if plan.nullable else _MISS
        if value is _MISS or field_details_list[0].node.directives:
            return _MISS
        object_type = plan.object_type
        is_type_of = plan.is_type_of
        items = None
        if plan.item_type is not None:
            if type(value) is not list and type(value) is not tuple:
                return _MISS
            items = value
            for item in items:
                if item is None:
                    if not plan.item_nullable:
                        return _MISS
                elif is_type_of is not None and is_type_of(item, None) is not True:
                    return _MISS
        elif is_type_of is not None and is_type_of(value, None) is not True:
            return _MISS
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return _MISS
        try:
            if items is None:
                completed = self.execute_fields(object_type, value, path, grouped_field_set, None)
            else:
                completed = self._complete_items(
                    plan, items, field_details_list, path, grouped_field_set
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._awaited(completed, plan.return_type, field_details_list, path)
        return completed

    def _complete_items(
        self,
        plan: ObjectPlan,
        items: list[Any] | tuple[Any, ...],
        field_details_list: Any,
        path: Path,
        grouped_field_set: Any,
    ) -> Any:
        """graphql-core's `complete_iterable_value` for a list of one object type."""
        item_type = plan.item_type
        assert item_type is not None
        object_type = plan.object_type
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                item_path = path.add_key(index, None)
                try:
                    fields = self.execute_fields(
                        object_type, item, item_path, grouped_field_set, None
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    fields = None
                else:
                    if is_awaitable(fields):
                        fields = self._awaited(fields, item_type, field_details_list, item_path)
                        awaitable_indices.append(index)
                completed.append(fields)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed[index] for index in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed
        return _gathered_items(completed, awaitable_indices)

    async def _awaited(
        self, completed: Any, return_type: GraphQLOutputType, field_details_list: Any, path: Path
    ) -> Any:
        """An object's awaited fields, with its error handled as graphql-core does."""
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


async def _gathered_items(completed: list[Any], awaitable_indices: list[int]) -> list[Any]:
    """`completed` with its awaitable items awaited, as graphql-core's list completion does."""
    if len(awaitable_indices) == 1:
        index = awaitable_indices[0]
        completed[index] = await completed[index]
    else:
        awaited = await gather_with_cancel(*(completed[index] for index in awaitable_indices))
        for index, value in zip(awaitable_indices, awaited, strict=True):
            completed[index] = value
    return completed
