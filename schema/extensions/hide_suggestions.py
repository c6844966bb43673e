"""Drops graphql-core's "Did you mean ...?" hints from error messages (production only).

The hints name fields, types and enum values, so they leak the schema where introspection is off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

# The hint ends the message for fields and arguments, but sits mid-message for input object
# fields ("... Did you mean 'x'? Found: { ... }."); quoted names never hold a "?".
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class HideSuggestions(SchemaExtension):
    """Rewrite each error of a result without its "Did you mean" hint."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_without_suggestion(error) for error in result.errors]
