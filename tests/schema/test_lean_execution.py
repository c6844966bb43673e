"""The lean executor answers exactly as graphql-core does: values, nulls and errors alike."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry import relay

from schema.lean_execution import LeanExecutionContext, plan_lean_fields


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
class Box:
    """Plain attributes holding objects and lists of objects (completed by the lean path)."""

    label: str
    thing: Thing
    maybe: Thing | None
    things: list[Thing]
    loose: list[Thing | None] | None


class NotAThing:
    name = "impostor"


BOXES = [
    Box(label="one", thing=THINGS[0], maybe=None, things=THINGS, loose=[THINGS[0], None]),
    Box(label="two", thing=THINGS[1], maybe=THINGS[0], things=[THINGS[0]], loose=None),
]
ODD = Box(label="odd", thing=NotAThing(), maybe=None, things=[], loose=[NotAThing()])  # type: ignore[arg-type]  # the wrong class on purpose


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return THINGS

    @strawberry.field
    def first(self) -> Thing:
        return THINGS[0]

    @strawberry.field
    def boxes(self) -> list[Box]:
        return BOXES

    @strawberry.field
    def box(self) -> Box | None:
        return BOXES[0]

    @strawberry.field
    def odd(self) -> Box | None:
        return ODD


def _result(lean: bool, query: str) -> tuple[Any, list[tuple[str, Any]]]:
    if lean:
        schema = strawberry.Schema(query=Query, execution_context_class=LeanExecutionContext)
        plan_lean_fields(schema)
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
        "{ box { label thing { id name } maybe { name } things { name nickname } } }",
        "{ box { things { name later } loose { name later } } }",
        "{ boxes { label loose { name } maybe { nickname born } } }",
        "{ boxes { things { name count } } }",
        "{ boxes { thing { name ratio } } }",
        "{ box { loose { colour } things { colour } } }",
        "{ odd { label thing { name } } }",
        "{ odd { loose { name } } }",
        "{ box { thing @include(if: true) { name } things @skip(if: false) { id } } }",
        "{ box { a: thing { name } b: thing { count } } }",
        "{ box { thing { name } ...T } } fragment T on Box { thing { nickname } }",
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


def test_plain_object_fields_skip_graphql_cores_field_walk(monkeypatch):
    # given a count of the fields graphql-core executes itself
    executed: list[str] = []
    stock = LeanExecutionContext.execute_field

    def counted(self, parent_type, source, field_details_list, path, position_context):
        executed.append(f"{parent_type.name}.{field_details_list[0].node.name.value}")
        return stock(self, parent_type, source, field_details_list, path, position_context)

    monkeypatch.setattr(LeanExecutionContext, "execute_field", counted)

    # when plain attributes holding objects and lists of objects are selected
    data, errors = _result(True, "{ box { thing { name } maybe { name } loose { name } } }")

    # then only the resolver field went through graphql-core; the objects were read directly
    assert errors == []
    assert data == {
        "box": {"thing": {"name": "Ann"}, "maybe": None, "loose": [{"name": "Ann"}, None]}
    }
    assert executed == ["Query.box"]
