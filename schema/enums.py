"""GraphQL enums mirrored from the store's enums, so the two can never drift apart."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from app.metrics import current
from app.privacy import consent
from app.store import models


def mirror_enum(source: type[Enum], name: str, description: str) -> type[Enum]:
    """A GraphQL enum with the names and values of `source`, so the two cannot drift apart.

    Declare it as `if TYPE_CHECKING: Name = source` / `else: Name = mirror_enum(...)`: a class
    made at run time is no type to a type checker, and the mirror has exactly `source`'s names
    and values (its members are plain `Enum`s, though: compare `.value`s, as the code does).
    """
    # A new Enum class (not the store's own) so no GraphQL metadata is patched onto app code.
    mirrored = Enum(name, {member.name: member.value for member in source})  # type: ignore[misc]  # mypy cannot follow Enum's functional API with computed members
    return strawberry.enum(mirrored, description=description)


if TYPE_CHECKING:
    # A mirror has its source's names and values (`mirror_enum`): checkers see the source.
    LifecycleStage = models.LifecycleStage
    ProfileType = models.ProfileType
    ContactKind = models.ContactKind
    LinkMethod = models.LinkMethod
    ConsentState = consent.ConsentState
    ConsentPurpose = consent.ConsentPurpose
    ConsentChannel = consent.ConsentChannel
    LawfulBasis = consent.LawfulBasis
    Trend = current.Trend
else:
    LifecycleStage = mirror_enum(
        models.LifecycleStage,
        "LifecycleStage",
        "Where the customer is in their relationship with us.",
    )
    ProfileType = mirror_enum(models.ProfileType, "ProfileType", "A person or a business.")
    ContactKind = mirror_enum(models.ContactKind, "ContactKind", "The kind of a contact point.")
    LinkMethod = mirror_enum(
        models.LinkMethod, "LinkMethod", "How a source identity was linked to the customer."
    )
    ConsentState = mirror_enum(
        consent.ConsentState,
        "ConsentState",
        "A consent's state now: an expired grant is not granted.",
    )
    ConsentPurpose = mirror_enum(consent.ConsentPurpose, "ConsentPurpose", "What a consent is for.")
    ConsentChannel = mirror_enum(
        consent.ConsentChannel, "ConsentChannel", "How we may reach the customer."
    )
    LawfulBasis = mirror_enum(
        consent.LawfulBasis, "LawfulBasis", "The GDPR Art. 6 basis of processing."
    )
    Trend = mirror_enum(
        current.Trend, "Trend", "How a metric's current value compares with the previous one."
    )


@strawberry.enum(description="A consent decision to record.")
class ConsentDecision(Enum):
    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="The field a customer list is sorted by.")
class CustomerOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    FAMILY_NAME = "family_name"


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"
