"""Refuses a document of several operations that does not say which one to run.

The GraphQL spec (GetOperation) makes it a request error; graphql-core would run the first
operation, which over POST may be a mutation the client did not mean to send.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

BAD_REQUEST = "BAD_REQUEST"


class RequireOperationName(SchemaExtension):
    """After validation: several operations and no `operationName` is a BAD_REQUEST."""

    def on_validate(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        # `operation_name` falls back to the first operation's name: ask what the client sent.
        provided = context._provided_operation_name  # noqa: SLF001
        if provided is not None or document is None or context.pre_execution_errors:
            return  # named, or invalid: validation's errors come first
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            # Raised here, it ends the request before execution.
            raise GraphQLError(
                "the document has several operations: name the one to run in `operationName`",
                extensions={"code": BAD_REQUEST},
            )
