"""Adds the errors of sources that failed under fields that still resolved (partial data)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension


class PartialSourceErrors(SchemaExtension):
    """Appends `context.partial_errors` to the result's errors once execution ends."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(self.execution_context.context, "partial_errors", None)
        if result is not None and errors:
            result.errors = [*(result.errors or []), *errors]
