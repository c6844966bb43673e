"""`classify`, on a tiny schema: each parse, validation and variable error gets its code."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry

from schema.error_codes import classify


@strawberry.enum
class Stage(Enum):
    ACTIVE = "active"
    PAST = "past"


@strawberry.type
class Person:
    name: str


@strawberry.input
class PersonInput:
    stage: Stage | None = None
    emails: list[str] | None = None


@strawberry.type
class Query:
    @strawberry.field
    def people(self, first: int | None = None) -> list[Person]:
        return [Person(name="Ann")][:first]

    @strawberry.field
    def person(self, id: strawberry.ID) -> Person:  # noqa: A002 (the argument's GraphQL name)
        return Person(name=str(id))


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_person(self, input: PersonInput) -> Person:  # noqa: A002
        return Person(name=str(input.emails))


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
PEOPLE = "query People($first: Int) { people(first: $first) { name } }"
PERSON = "query Person($id: ID!) { person(id: $id) { name } }"
CREATE = "mutation Create($input: PersonInput!) { createPerson(input: $input) { name } }"


def _codes(document: str, variables: dict[str, Any] | None = None) -> list[str]:
    errors = SCHEMA.execute_sync(document, variable_values=variables).errors or []
    return [(classify(error).extensions or {})["code"] for error in errors]


@pytest.mark.parametrize(
    "document", ["{ people { name } ", "query {", "}", "{ person(id: ) { name } }"]
)
def test_graphql_parse_failed(document):
    assert _codes(document) == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize(
    "document",
    [
        "{ peple { name } }",
        "{ people }",
        "{ people { name nope } }",
        "query A { __typename } query A { __typename }",
        "query($unused: Int) { __typename }",
    ],
)
def test_graphql_validation_failed(document):
    codes = _codes(document)
    assert codes and set(codes) == {"GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (PEOPLE, {"first": "ten"}),
        (PEOPLE, {"first": 1.5}),
        (PERSON, {"id": None}),
        (PERSON, {}),
        (CREATE, {"input": {"stage": "SLEEPING"}}),
        (CREATE, {"input": {"emails": "jane@example.com", "unknownField": 1}}),
    ],
)
def test_bad_user_input_for_variables_of_the_wrong_type(document, variables):
    codes = _codes(document, variables)
    assert codes and set(codes) == {"BAD_USER_INPUT"}


@pytest.mark.parametrize(
    "document",
    ['{ people(first: "ten") { name } }', "{ people(first: 1e30) { name } }"],
)
def test_bad_user_input_for_literal_arguments_of_the_wrong_type(document):
    assert _codes(document) == ["BAD_USER_INPUT"]
