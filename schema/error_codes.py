"""Gives every GraphQL error an `extensions.code` and masks everything unexpected.

Our own errors (`app.errors.C360Error`) keep their message and code. Parse and validation errors
get the standard codes. Anything else becomes "Internal server error" with code `INTERNAL`: the
original (a DSN, a stack trace, SQL) is logged by the schema, never sent.

`GatewaySchema` (schema/build.py) classifies every result's errors, once, as it returns them.
"""

from __future__ import annotations

import re

from graphql import (
    GraphQLError,
    GraphQLSyntaxError,
    ObjectFieldNode,
    ValueNode,
    VariableNode,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.relay import GlobalIDValueError

from app.errors import DATABASE_UNAVAILABLE, C360Error
from app.store.availability import is_database_unavailable

INTERNAL_MESSAGE = "Internal server error"
# Variable errors about the value sent ("is never used" / "is not defined" are validation errors).
_VARIABLE_VALUE = re.compile(r"^Variable '\$\w+' (got invalid value|of (required|non-null) type)")


def classify(error: GraphQLError) -> GraphQLError:
    """The client-safe version of `error`, with an `extensions.code`."""
    original = error.original_error
    if is_database_unavailable(original):
        original = DATABASE_UNAVAILABLE
    if isinstance(original, C360Error):
        return _with(error, original.message, {**original.extensions, "code": original.code})
    if isinstance(original, GlobalIDValueError):
        return _with(error, "malformed global id", {"code": "BAD_USER_INPUT"})
    if isinstance(original, GraphQLError) and error.path is None:
        # A variable value graphql-core could not coerce (wrong type, missing): the client's input.
        return _with(error, error.message, {"code": "BAD_USER_INPUT"})
    if original is not None:
        return _with(error, INTERNAL_MESSAGE, {"code": "INTERNAL"})
    if error.extensions and "code" in error.extensions:
        return error
    if isinstance(error, ValidationAbortedError):
        # graphql-core gave up: the document repeats fields past what it will compare.
        return _with(
            error,
            "the operation repeats fields too often to be checked; ask for fewer",
            {"code": "QUERY_TOO_COMPLEX"},
        )
    if isinstance(error, GraphQLSyntaxError):
        return _with(error, error.message, {"code": "GRAPHQL_PARSE_FAILED"})
    if (
        _VARIABLE_VALUE.match(error.message)
        or error.message.startswith("Argument '")
        or _is_literal_value_error(error)
    ):
        return _with(error, error.message, {"code": "BAD_USER_INPUT"})
    return _with(error, error.message, {"code": "GRAPHQL_VALIDATION_FAILED"})


def _is_literal_value_error(error: GraphQLError) -> bool:
    """A literal argument value of the wrong type or out of range (`first: 1e30`, `"x"` for
    an Int, an unknown input field): validation reports these on the value itself."""
    node = error.nodes[0] if error.nodes else None
    return isinstance(node, ObjectFieldNode) or (
        isinstance(node, ValueNode) and not isinstance(node, VariableNode)
    )


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
