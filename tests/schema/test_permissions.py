"""Field permissions (schema/permissions.py), on a tiny schema: checked before the resolver,
refused with FORBIDDEN naming the caller's role, and invisible in the SDL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import strawberry

from app.errors import ForbiddenError
from app.privacy.access import RequestAccess
from app.privacy.principals import Principal, Purpose, Role
from schema.permissions import requires, requires_own_record_or

ADMINS = frozenset({Role.ADMIN})
resolved: list[str] = []


@strawberry.type
class Person:
    id: str

    @strawberry.field(extensions=[requires_own_record_or(ADMINS, "read another's diary")])
    def diary(self) -> str:
        resolved.append(f"diary:{self.id}")
        return f"{self.id}'s diary"


@strawberry.type
class Query:
    @strawberry.field(extensions=[requires(ADMINS, "read the secret")])
    def secret(self) -> str:
        resolved.append("secret")
        return "42"

    @strawberry.field
    def person(self, id: str) -> Person:  # noqa: A002
        return Person(id=id)


SCHEMA = strawberry.Schema(query=Query)


@dataclass
class Context:
    access: RequestAccess


def _context(role: Role, subject: str | None = None) -> Context:
    purpose = Purpose.SELF_SERVICE if role is Role.CUSTOMER else Purpose.SUPPORT
    principal = Principal(id="k1", name="caller", role=role, purpose=purpose, subject=subject)
    return Context(RequestAccess(principal, "request-1"))


@pytest.fixture(autouse=True)
def _forget_resolved() -> None:
    resolved.clear()


async def test_an_allowed_role_gets_the_field():
    # when
    result = await SCHEMA.execute("{ secret }", context_value=_context(Role.ADMIN))

    # then
    assert result.errors is None
    assert result.data == {"secret": "42"}
    assert resolved == ["secret"]


async def test_another_role_is_refused_before_the_resolver_runs():
    # when
    result = await SCHEMA.execute("{ secret }", context_value=_context(Role.ANALYST))

    # then
    assert result.errors is not None
    (error,) = result.errors
    assert isinstance(error.original_error, ForbiddenError)
    assert error.message == "role analyst may not read the secret"
    assert error.original_error.extensions == {"action": "read the secret"}
    assert result.data is None
    assert resolved == []


@pytest.mark.parametrize(
    ("role", "subject", "allowed"),
    [
        (Role.CUSTOMER, "jane", True),  # her own record
        (Role.CUSTOMER, "john", False),  # someone else's
        (Role.ADMIN, None, True),
        (Role.SUPPORT_AGENT, None, False),
    ],
)
async def test_own_record_or_role_lets_the_customer_themselves_in(role, subject, allowed):
    # when
    result = await SCHEMA.execute(
        '{ person(id: "jane") { diary } }', context_value=_context(role, subject)
    )

    # then
    if allowed:
        assert result.errors is None
        assert resolved == ["diary:jane"]
    else:
        assert [error.message for error in result.errors or []] == [
            f"role {role.value} may not read another's diary"
        ]
        assert resolved == []


def test_the_sdl_does_not_show_who_may_call_what():
    # when
    sdl = SCHEMA.as_str()

    # then
    assert "@" not in sdl
    assert "directive" not in sdl
