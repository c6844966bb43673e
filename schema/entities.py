"""Checks of Apollo Federation `_entities` representations before they reach a resolver.

A representation is an object naming an entity type (`__typename`) and carrying exactly the
arguments of that type's `resolve_reference` (for `Customer`: `id`). Anything else is the
caller's mistake, reported as `BAD_USER_INPUT` for that representation alone.
"""

from __future__ import annotations

from typing import Any

from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.inspect import get_func_args

from app.errors import InvalidInputError

_SHAPE = "a representation must be an object with `__typename` and the entity's key fields"


def representation_error(
    type_map: dict[str, Any], representation: object
) -> InvalidInputError | None:
    """Why `representation` cannot name an entity of the schema (None: it can be resolved)."""
    if not isinstance(representation, dict):
        return InvalidInputError(_SHAPE)
    type_name = representation.get("__typename")
    entity = type_map.get(type_name) if isinstance(type_name, str) else None
    definition = getattr(entity, "definition", None)
    origin: Any = getattr(definition, "origin", None)
    if not isinstance(definition, StrawberryObjectDefinition) or not hasattr(
        origin, "resolve_reference"
    ):
        return InvalidInputError("`__typename` does not name an entity type")
    keys = set(get_func_args(origin.resolve_reference)) - {"info"}
    given = set(representation) - {"__typename"}
    if given != keys or not all(isinstance(representation[key], str) for key in keys):
        fields = ", ".join(f"`{key}`" for key in sorted(keys))
        return InvalidInputError(f"a {type_name} representation needs exactly {fields} (strings)")
    return None
