"""The schema's SDL as committed in schema/schema.graphql."""

from __future__ import annotations

from pathlib import Path

from schema.build import build_schema

COMMITTED_SDL = Path(__file__).parent / "schema.graphql"


def schema_sdl() -> str:
    """The SDL of the full schema (introspection on; limits do not change the SDL)."""
    schema = build_schema(max_depth=10, max_aliases=15, max_tokens=2000, introspection=True)
    return schema.as_str() + "\n"
