"""Errors of sources that failed under a field that still resolves (the merged timeline).

A field that is null because its source failed raises; a field that merges several sources
keeps what it has and records the failed ones here, and the `PartialSourceErrors` extension
adds them to the response with the field's path.
"""

from __future__ import annotations

from graphql import GraphQLError

from app.graph import CustomerSourceData
from schema.context import Info


def report_failed_source(info: Info, data: CustomerSourceData) -> None:
    """Add an error for `data`'s failed source, at the path of the field being resolved (its
    code and extensions are given with every other error's, by `schema.error_codes.classify`)."""
    error = data.error()
    info.context.partial_errors.append(
        GraphQLError(error.message, path=info.path.as_list(), original_error=error)
    )
