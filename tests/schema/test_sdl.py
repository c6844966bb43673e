"""The committed SDL is the schema's SDL (regenerate it with `c360 schema export`)."""

from __future__ import annotations

from schema.sdl import COMMITTED_SDL, schema_sdl


def test_committed_sdl_matches_the_schema():
    # when
    current = schema_sdl()

    # then
    assert COMMITTED_SDL.read_text() == current, (
        "schema/schema.graphql is stale: run "
        "`.venv/bin/c360 schema export --output schema/schema.graphql`"
    )
