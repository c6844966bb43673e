"""Refuses Apollo Federation's `_service { sdl }` where introspection is off (production).

`_service.sdl` returns the whole schema, so leaving it open would undo turning introspection
off. Routers compose from the committed `schema/schema.graphql` instead of asking a live server.
"""

from __future__ import annotations

from graphql import FieldNode, GraphQLError, ValidationRule

SERVICE_FIELD = "_service"


class NoServiceSdl(ValidationRule):
    """Reports every selection of the root `_service` field."""

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        parent = self.context.get_parent_type()
        root = self.context.schema.query_type
        if node.name.value == SERVICE_FIELD and parent is not None and parent is root:
            self.report_error(GraphQLError("the service SDL is not available on this server", node))
