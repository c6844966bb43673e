"""Checks of Apollo Federation `_entities` representations before they reach a resolver.

A representation is an object naming an entity type (`__typename`) and carrying exactly the
arguments of that type's `resolve_reference` (for `Customer`: `id`). Anything else is the
caller's mistake, reported as `BAD_USER_INPUT` for that representation alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from strawberry.types import has_object_definition

from app.errors import InvalidInputError

_SHAPE = "a representation must be an object with `__typename` and the entity's key fields"


def representation_error(
    type_by_name: Callable[[str], object | None], representation: object
) -> InvalidInputError | None:
    """Why `representation` cannot name an entity of the schema (None: it can be resolved);
    `type_by_name` is the schema's `get_type_by_name`."""
    if not isinstance(representation, dict):
        return InvalidInputError(_SHAPE)
    type_name = representation.get("__typename")
    definition = type_by_name(type_name) if isinstance(type_name, str) else None
    origin: Any = getattr(definition, "origin", None)
    if not has_object_definition(origin) or not hasattr(origin, "resolve_reference"):
        return InvalidInputError("`__typename` does not name an entity type")
    parameters = inspect.signature(origin.resolve_reference).parameters.values()
    keys = {p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD} - {"info"}
    given = set(representation) - {"__typename"}
    if given != keys or not all(isinstance(representation[key], str) for key in keys):
        fields = ", ".join(f"`{key}`" for key in sorted(keys))
        return InvalidInputError(f"a {type_name} representation needs exactly {fields} (strings)")
    return None
