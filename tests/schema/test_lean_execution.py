"""The lean executor answers exactly as graphql-core does: values, nulls and errors alike."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry import relay

from schema.lean_execution import LeanExecutionContext, plan_leaf_fields


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Thing(relay.Node):
    id: relay.NodeID[str]
    name: str
    nickname: str | None
    count: int
    ratio: float
    ok: bool
    colour: Colour
    born: date | None
    missing: str = strawberry.field(default=None)  # type: ignore[assignment]

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name.upper()


THINGS = [
    Thing(
        id="a", name="Ann", nickname=None, count=3, ratio=0.5, ok=True,
        colour=Colour.RED, born=date(1990, 1, 2),
    ),
    Thing(
        id="b", name="Bob", nickname="B", count=2**40, ratio=float("inf"), ok=False,
        colour="green", born=None,  # type: ignore[arg-type]
    ),
]  # fmt: skip


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return THINGS

    @strawberry.field
    def first(self) -> Thing:
        return THINGS[0]


def _result(lean: bool, query: str) -> tuple[Any, list[tuple[str, Any]]]:
    if lean:
        schema = strawberry.Schema(query=Query, execution_context_class=LeanExecutionContext)
        plan_leaf_fields(schema)
    else:
        schema = strawberry.Schema(query=Query)
    result = asyncio.run(schema.execute(query))
    errors = sorted((error.message, error.path) for error in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize(
    "query",
    [
        "{ first { id name nickname count ratio ok colour born later } }",
        "{ first { a: name b: name name colour } }",
        "{ first { ...F } } fragment F on Thing { id count }",
        "{ things { name count } }",
        "{ things { name ratio } }",
        "{ things { name colour later } }",
        "{ things { born nickname } }",
        "{ first { missing } }",
        "{ things { id name missing } }",
    ],
)
def test_planned_fields_answer_as_graphql_core_does(query):
    # given the same schema executed by graphql-core and by the lean executor
    # when the query runs on both
    lean = _result(True, query)
    reference = _result(False, query)

    # then data and errors (messages and paths) are the same
    assert lean == reference


def test_the_errors_are_there_to_compare():
    # given the second thing's count, ratio and colour, which no scalar or enum takes
    # when they are read
    data, errors = _result(True, "{ things { count } }")

    # then the field error is raised and the non-null list item nulls its parent
    assert data is None
    assert [path for _, path in errors] == [["things", 1, "count"]]
