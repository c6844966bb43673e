"""Tells the request's context which type of operation it executes.

A mutation commits its writes as it runs, so once one has executed, the HTTP layer must never
answer "retry later" (a client honouring it would write twice).
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from schema.context import Context


class RecordOperationType(SchemaExtension):
    """Sets `Context.operation_type` as execution starts (not when refused before it)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.operation_type = self.execution_context.operation_type
        yield
