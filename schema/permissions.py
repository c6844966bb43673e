"""Who may resolve a field, declared on the field: `extensions=[requires(policy.X, "do y")]`.

The role sets live in `app.privacy.policy`; a field names the set it needs and what the caller
is doing, and Strawberry's `PermissionExtension` checks it before the resolver runs. A refusal
is the same `ForbiddenError` everywhere (`FORBIDDEN`, "role analyst may not list customers").
Put requirements on operations and object-returning fields, never on plain leaf fields: an
extension takes a field off the lean path (`schema/lean_execution.py`).
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension

from app.privacy import policy
from app.privacy.principals import Role
from schema.context import Info


class RoleRequired(BasePermission):
    """The caller's role is one of `allowed`."""

    def __init__(self, allowed: frozenset[Role], action: str) -> None:
        self.allowed = allowed
        self.action = action

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # noqa: ARG002
        # Raises instead of returning False: the message names the caller's role, which
        # `on_unauthorized` (called without the request) cannot know.
        info.context.access.require(self.allowed, self.action)
        return True


class OwnRecordOrRole(RoleRequired):
    """The field's customer is the caller themselves, or the caller's role is one of `allowed`."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # noqa: ARG002
        principal = info.context.access.principal
        policy.require_self_or_role(principal, source.id, self.allowed, self.action)
        return True


def requires(allowed: frozenset[Role], action: str) -> PermissionExtension:
    """The field extension that lets only the roles in `allowed` `action`."""
    # No schema directive: the committed SDL does not show who may call what.
    return PermissionExtension([RoleRequired(allowed, action)], use_directives=False)


def requires_own_record_or(allowed: frozenset[Role], action: str) -> PermissionExtension:
    """Like `requires`, but the customer the field hangs off may always read it."""
    return PermissionExtension([OwnRecordOrRole(allowed, action)], use_directives=False)
