"""Assembling the schema: root types merged from each domain, limits and error handling."""

from __future__ import annotations

import copy
from collections.abc import AsyncGenerator
from contextlib import aclosing
from functools import cache, partial
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.federation.schema import FederationAny
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult, Info

from app.store.availability import is_database_unavailable
from schema.business.mutations import BusinessMutations
from schema.business.queries import BusinessQueries
from schema.customers.mutations import CustomerMutations
from schema.customers.queries import CustomerQueries
from schema.entities import representation_error
from schema.error_codes import classify
from schema.events.subscriptions import EventSubscriptions
from schema.events.webhooks import WebhookMutations, WebhookQueries
from schema.extensions.document_limits import document_limiter, limit_merge_check
from schema.extensions.hide_suggestions import HideSuggestions
from schema.extensions.no_service_sdl import NoServiceSdl
from schema.extensions.operation_name import RequireOperationName
from schema.extensions.operation_type import RecordOperationType
from schema.extensions.partial_errors import PartialSourceErrors
from schema.extensions.query_cost import query_cost_rule
from schema.extensions.redactions import Redactions
from schema.extensions.stale_sources import StaleSources
from schema.history.queries import HistoryQueries
from schema.identity.mutations import IdentityMutations
from schema.identity.queries import IdentityQueries
from schema.lean_execution import LeanExecutionContext, plan_lean_fields
from schema.metrics.queries import MetricQueries
from schema.privacy.mutations import PrivacyMutations
from schema.privacy.pii import mask_pii_fields
from schema.privacy.queries import PrivacyQueries
from schema.quality.queries import QualityQueries
from schema.search.queries import SearchQueries

log = structlog.get_logger("c360.graphql")

Query = merge_types(
    "Query",
    (
        CustomerQueries,
        PrivacyQueries,
        IdentityQueries,
        SearchQueries,
        QualityQueries,
        MetricQueries,
        BusinessQueries,
        HistoryQueries,
        WebhookQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (CustomerMutations, PrivacyMutations, IdentityMutations, BusinessMutations, WebhookMutations),
)


class GatewaySchema(strawberry.federation.Schema):
    """Our schema: personal data masked, unexpected errors logged with their stack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", LeanExecutionContext)
        super().__init__(*args, **kwargs)
        # Every @pii field of any schema we build goes through the request's access rules.
        mask_pii_fields(self)
        # Then the plain leaf fields (those masked too) are read without graphql-core's walk.
        plan_lean_fields(self)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            # Here, not in an extension: a parse error is raised inside ParserCache's hook, so
            # it skips every extension's on_operation.
            result.errors = [classify(error) for error in result.errors]
        return result

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Federation's `_entities`; a malformed representation is its own BAD_USER_INPUT."""
        problems = [representation_error(self.get_type_by_name, item) for item in representations]
        wellformed = [
            item for item, problem in zip(representations, problems, strict=True) if problem is None
        ]
        resolved = iter(super().entities_resolver(info, wellformed))
        return [problem or next(resolved) for problem in problems]  # type: ignore[misc]

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Subscriptions (WebSocket) too: every result's errors get their code, and
        unexpected ones are masked, as `execute` does for HTTP."""
        return _classified(await super().stream(*args, **kwargs))

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,  # noqa: ARG002
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is not None and is_database_unavailable(original):
                # An outage, not a bug: one line per field, no traceback per request.
                log.warning(
                    "database unavailable", path=error.path, error_type=type(original).__name__
                )
                continue
            code = (classify(error).extensions or {}).get("code")
            if code != "INTERNAL":
                # The client's mistake, not the server's: its message and traceback would
                # carry the values sent (emails, phones), so only the code and path are kept.
                log.info("operation refused", code=code, path=error.path)
                continue
            log.error(
                "resolver failed",
                path=error.path,
                error_type=type(original).__name__,
                exc_info=original,
            )


async def _classified(results: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
    async with aclosing(results):
        async for result in results:
            errors = getattr(result, "errors", None)
            if errors:
                result.errors = [classify(error) for error in errors]
            yield result


@cache
def _types_schema() -> GatewaySchema:
    """The types converted once: Strawberry's relay `node` field cannot be converted twice."""
    return GatewaySchema(query=Query, mutation=Mutation, subscription=EventSubscriptions)


@cache
def build_schema(
    *,
    max_depth: int,
    max_aliases: int,
    max_tokens: int,
    introspection: bool,
    max_cost: int = 5000,
    default_page_size: int = 20,
    max_page_size: int = 100,
    max_selections: int = 300,
) -> GatewaySchema:
    """Build (once per set of limits) the federated schema with its protective extensions."""
    # The limiters build a new rule class per instance, which would make every request miss
    # the validation cache; build their rules once and add the same classes to every request.
    limit_rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        query_cost_rule(
            max_cost=max_cost, default_page_size=default_page_size, max_page_size=max_page_size
        ),
    ]
    limit_merge_check()
    # Factories, not instances: an extension instance holds per-request state.
    extensions: list[Any] = [
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        partial(ParserCache, maxsize=1024),
        RequireOperationName,
        document_limiter(max_selections=max_selections, max_aliases=max_aliases),
        partial(AddValidationRules, limit_rules),
        partial(ValidationCache, maxsize=1024),
        RecordOperationType,
        PartialSourceErrors,
        Redactions,
        StaleSources,
    ]
    if not introspection:
        extensions += [
            DisableIntrospection,
            partial(AddValidationRules, [NoServiceSdl]),
            HideSuggestions,
        ]
    # Extensions are only read per request, so every set of limits shares the converted types.
    schema = copy.copy(_types_schema())
    schema.extensions = tuple(extensions)
    return schema
