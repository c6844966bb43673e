"""The committed SDL is the schema's SDL (regenerate both files with `make schema`)."""

from __future__ import annotations

import pytest
from graphql import build_schema
from typer.testing import CliRunner

from composition.cli import app
from schema.build import build_schema as build_gateway_schema
from schema.core_schema import graphql_core_schema
from schema.sdl import COMMITTED_PLAIN_SDL, COMMITTED_SDL, plain_sdl, schema_sdl


def test_committed_sdl_matches_the_schema():
    # when
    current = schema_sdl()

    # then
    assert COMMITTED_SDL.read_text() == current, (
        "schema/schema.graphql is stale: run "
        "`.venv/bin/c360 schema export --output schema/schema.graphql`"
    )


def test_committed_plain_sdl_matches_the_schema():
    # when
    current = CliRunner().invoke(app, ["schema", "export", "--plain"])

    # then
    assert current.exit_code == 0, current.output
    assert current.stdout == plain_sdl()
    assert COMMITTED_PLAIN_SDL.read_text() == current.stdout, (
        "schema/schema.plain.graphql is stale: run `make schema`"
    )


def test_plain_graphql_tooling_loads_the_plain_sdl_with_every_type_and_field():
    # given: the federation SDL alone does not load in plain tools (undeclared @link, @key)
    with pytest.raises(TypeError, match="Unknown directive '@link'"):
        build_schema(COMMITTED_SDL.read_text())

    # when
    plain = build_schema(COMMITTED_PLAIN_SDL.read_text())

    # then: the same types, with the same fields, as the gateway serves
    served = graphql_core_schema(
        build_gateway_schema(max_depth=10, max_aliases=15, max_tokens=2000, introspection=True)
    )
    assert set(plain.type_map) == set(served.type_map)
    for name, served_type in served.type_map.items():
        fields = getattr(served_type, "fields", None)
        if fields is not None and not name.startswith("__"):
            assert set(plain.type_map[name].fields) == set(fields), name
    assert {"key", "link", "pii"} <= {directive.name for directive in plain.directives}
