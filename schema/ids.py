"""Reading opaque global ids back into store ids."""

from __future__ import annotations

from strawberry import relay

from app.errors import InvalidInputError


def node_id_of(global_id: relay.GlobalID, type_name: str, *, argument: str = "id") -> str:
    """The store id inside `global_id`; an id of another type is a `BAD_USER_INPUT` error."""
    if global_id.type_name != type_name:
        raise InvalidInputError(f"`{argument}` is not a {type_name} id", argument=argument)
    return global_id.node_id


def int_node_id_of(global_id: relay.GlobalID, type_name: str, *, argument: str = "id") -> int:
    """Like `node_id_of` for types whose store ids are integers."""
    raw = node_id_of(global_id, type_name, argument=argument)
    if not raw.isdigit():
        raise InvalidInputError(f"`{argument}` is not a {type_name} id", argument=argument)
    return int(raw)
