"""Marking a field as personal data, once: `pii(kind)` masks it for roles without PII access,
audits raw reads, and shows as `@pii(kind: ...)` in the SDL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.types import Info

from app.privacy.masking import PiiKind


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Personal data: masked for roles without PII access; raw reads are audited.",
)
class Pii:
    kind: str


def _customer_id(source: Any) -> str:
    # Customer objects carry their id; objects hanging off a customer carry `customer_id`.
    return getattr(source, "customer_id", None) or source.id


class PiiMask(FieldExtension):
    """Passes a personal-data value through the request's access rules."""

    def __init__(self, kind: PiiKind) -> None:
        super().__init__()
        self.kind = kind

    def _reveal(self, source: Any, info: Info, value: Any) -> Any:
        field = f"{type(source).__name__}.{info.field_name}"
        return info.context.access.reveal(_customer_id(source), field, value, self.kind)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return self._reveal(source, info, next_(source, info, **kwargs))

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        return self._reveal(source, info, await next_(source, info, **kwargs))


def pii(kind: PiiKind, description: str | None = None) -> Any:
    """A `strawberry.field` holding personal data of `kind`."""
    return strawberry.field(
        description=description,
        extensions=[PiiMask(kind)],
        directives=[Pii(kind=kind.value)],
    )


def pii_extensions(kind: PiiKind) -> dict[str, Any]:
    """Keyword arguments marking a resolver field (`@strawberry.field(**pii_extensions(...))`)."""
    return {"extensions": [PiiMask(kind)], "directives": [Pii(kind=kind.value)]}
