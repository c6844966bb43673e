"""The graphql-core schema under a Strawberry schema: our one reach into Strawberry's internals.

Strawberry builds a graphql-core `GraphQLSchema` and keeps it as `Schema._schema`, with no public
accessor. We need it where we work at graphql-core's level: wrapping the resolvers of
personal-data fields (privacy/pii.py), planning the lean leaf reads (lean_execution.py) and
declaring the directives of the plain SDL (sdl.py). Everything else goes through Strawberry's
public API (`get_type_by_name`, `get_field_for_type`, `as_str`, `execute`...).
"""

from __future__ import annotations

from graphql import GraphQLSchema
from strawberry import Schema


def graphql_core_schema(schema: Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built for `schema`."""
    return schema._schema
