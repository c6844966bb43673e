"""Assembling the schema: root types merged from each domain, limits and error handling."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.errors import C360Error
from schema.customers.mutations import CustomerMutations
from schema.customers.queries import CustomerQueries
from schema.extensions.error_codes import ErrorCodes

log = structlog.get_logger("c360.graphql")

Query = merge_types("Query", (CustomerQueries,))
Mutation = merge_types("Mutation", (CustomerMutations,))


class GatewaySchema(strawberry.federation.Schema):
    """Our schema: logs unexpected errors with their stack, expected ones briefly."""

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,  # noqa: ARG002
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, C360Error):
                continue
            log.error(
                "resolver failed",
                path=error.path,
                error_type=type(original).__name__,
                exc_info=original,
            )


@cache
def build_schema(
    *, max_depth: int, max_aliases: int, max_tokens: int, introspection: bool
) -> GatewaySchema:
    """Build (once per set of limits) the federated schema with its protective extensions."""
    # The limiters build a new rule class per instance, which would make every request miss
    # the validation cache; build their rules once and add the same classes to every request.
    limit_rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    # Factories, not instances: an extension instance holds per-request state.
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        partial(ParserCache, maxsize=1024),
        partial(AddValidationRules, limit_rules),
        partial(ValidationCache, maxsize=1024),
        ErrorCodes,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(query=Query, mutation=Mutation, extensions=extensions)
