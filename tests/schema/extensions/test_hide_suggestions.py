"""HideSuggestions, on a tiny schema: every form of "Did you mean" hint is dropped, the rest of
the message is kept."""

from __future__ import annotations

from enum import Enum

import pytest
import strawberry

from schema.extensions.hide_suggestions import HideSuggestions


@strawberry.enum
class Stage(Enum):
    ACTIVE = "active"
    PAST = "past"


@strawberry.input
class PeopleFilter:
    stage: Stage | None = None


@strawberry.type
class Query:
    @strawberry.field
    def people(self, first: int = 1, filter: PeopleFilter | None = None) -> list[str]:  # noqa: A002
        return ["Ann"][:first]


# Each misspelling earns a hint naming a real field, argument, enum value or input field.
MISSPELLED = {
    "field": ("{ peple }", "Cannot query field 'peple' on type 'Query'."),
    "argument": ("{ people(firts: 1) }", "Unknown argument 'firts' on field 'Query.people'."),
    "enum value": (
        "{ people(filter: {stage: ACTIV}) }",
        "Value 'ACTIV' does not exist in 'Stage' enum.",
    ),
    # mid-message, before what was found
    "input field": (
        "{ people(filter: {stag: ACTIVE}) }",
        "Expected value of type 'PeopleFilter' not to include unknown field 'stag'."
        " Found: { stag: ACTIVE }.",
    ),
}


@pytest.mark.parametrize(("document", "message"), MISSPELLED.values(), ids=MISSPELLED.keys())
def test_every_form_of_suggestion_is_dropped_and_the_rest_kept(document, message):
    # given
    plain = strawberry.Schema(query=Query)
    hiding = strawberry.Schema(query=Query, extensions=[HideSuggestions])

    # when
    suggested = plain.execute_sync(document).errors
    hidden = hiding.execute_sync(document).errors

    # then: graphql-core suggests (so the test is not vacuous), and the extension drops it
    assert suggested and "Did you mean" in suggested[0].message
    assert hidden and [error.message for error in hidden] == [message]
