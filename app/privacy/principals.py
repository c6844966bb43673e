"""Who is calling: the principal of a request, with its role and the purpose it acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    """What a caller is allowed to see and do (DESIGN.md, "Access")."""

    ADMIN = "admin"
    STEWARD = "steward"
    SUPPORT_AGENT = "support_agent"
    PERSONALIZATION = "personalization"
    ANALYST = "analyst"
    CUSTOMER = "customer"


class Purpose(StrEnum):
    """Why a caller reads customer data; some purposes need the customer's consent."""

    SUPPORT = "support"
    MARKETING = "marketing"
    PERSONALIZATION = "personalization"
    ANALYTICS = "analytics"
    PROFILING = "profiling"
    THIRD_PARTY_SHARING = "third_party_sharing"
    ADMINISTRATION = "administration"
    STEWARDSHIP = "stewardship"
    SELF_SERVICE = "self_service"


AuthMethod = Literal["api_key", "jwt"]


def parse_role(value: object) -> Role:
    """The role named by `value`, or `ValueError` listing the valid roles."""
    if isinstance(value, str):
        try:
            return Role(value)
        except ValueError:
            pass
    raise ValueError(f"unknown role; use one of: {', '.join(Role)}")


def parse_purpose(value: object) -> Purpose:
    """The purpose named by `value`, or `ValueError` listing the valid purposes."""
    if isinstance(value, str):
        try:
            return Purpose(value)
        except ValueError:
            pass
    raise ValueError(f"unknown purpose; use one of: {', '.join(Purpose)}")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. `subject` is the customer's own id, for the customer role only."""

    id: str
    name: str
    role: Role
    purpose: Purpose
    subject: str | None = None
    via: AuthMethod = "api_key"

    def __post_init__(self) -> None:
        # Coerce plain strings so identity checks (`role is Role.ADMIN`) hold everywhere.
        object.__setattr__(self, "role", parse_role(self.role))
        object.__setattr__(self, "purpose", parse_purpose(self.purpose))
        if self.role is Role.CUSTOMER and not self.subject:
            raise ValueError("a customer principal needs a subject (its customer id)")
