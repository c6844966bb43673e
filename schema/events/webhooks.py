"""Outbound webhook endpoints and dead letters (admins only)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from app.errors import InvalidInputError
from app.events import webhook_endpoints as service
from app.privacy import policy
from app.store import models
from schema.context import Info
from schema.events.types import CustomerEventKind
from schema.permissions import requires


@strawberry.type(description="A receiver of signed change events (Standard Webhooks).")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    kinds: list[CustomerEventKind] = strawberry.field(
        description="The kinds it receives; empty: every kind."
    )
    purpose: str = strawberry.field(
        description="Why it receives data; a purpose that needs consent receives nothing "
        "about a customer who has not granted it."
    )
    enabled: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(row.id),
            url=row.url,
            kinds=[CustomerEventKind(kind) for kind in row.kinds],
            purpose=row.purpose,
            enabled=row.enabled,
            created_at=row.created_at,
        )


@strawberry.type(description="An endpoint with its signing secret (shown only this once).")
class WebhookEndpointSecret:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(description="The `whsec_...` key receivers verify with.")


@strawberry.type(description="A delivery given up on after its retry window; it can be replayed.")
class DeadLetter:
    id: int
    endpoint_id: strawberry.ID
    event_id: str
    kind: CustomerEventKind
    customer_id: relay.GlobalID
    attempts: int
    last_error: str | None
    failed_at: datetime

    @classmethod
    def from_model(cls, letter: service.DeadLetter) -> DeadLetter:
        delivery, event = letter.delivery, letter.event
        assert delivery.id is not None
        return cls(
            id=delivery.id,
            endpoint_id=strawberry.ID(delivery.endpoint_id),
            event_id=event.event_id,
            kind=CustomerEventKind(event.kind),
            customer_id=relay.GlobalID("Customer", event.customer_id),
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            failed_at=delivery.updated_at,
        )


def _with_secret(row: models.WebhookEndpoint) -> WebhookEndpointSecret:
    return WebhookEndpointSecret(endpoint=WebhookEndpoint.from_model(row), secret=row.secret)


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="Registered outbound webhook endpoints (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "list webhook endpoints")],
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        return [
            WebhookEndpoint.from_model(row) for row in await service.list_endpoints(info.context.db)
        ]

    @strawberry.field(
        description="Deliveries given up on, newest first (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "list dead letters")],
    )
    async def dead_letters(self, info: Info, first: int = 50) -> list[DeadLetter]:
        if not 1 <= first <= info.context.settings.max_page_size:
            raise InvalidInputError("first is out of range", argument="first")
        letters = await service.dead_letters(info.context.db, first=first)
        return [DeadLetter.from_model(letter) for letter in letters]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register an endpoint for events of these kinds (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "create webhook endpoints")],
    )
    async def create_webhook_endpoint(
        self,
        info: Info,
        url: str,
        purpose: str,
        kinds: list[CustomerEventKind] | None = None,
    ) -> WebhookEndpointSecret:
        row = await service.create_endpoint(
            info.context.db,
            url=url,
            kinds=[kind.value for kind in kinds or []],
            purpose=purpose,
            production=info.context.settings.is_production,
        )
        return _with_secret(row)

    @strawberry.mutation(
        description="Stop sending to an endpoint (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "disable webhook endpoints")],
    )
    async def disable_webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpoint:  # noqa: A002
        return WebhookEndpoint.from_model(await service.disable_endpoint(info.context.db, id))

    @strawberry.mutation(
        description="Give an endpoint a new signing secret (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "rotate webhook secrets")],
    )
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID) -> WebhookEndpointSecret:  # noqa: A002
        return _with_secret(await service.rotate_secret(info.context.db, id))

    @strawberry.mutation(
        description="Queue a dead letter again, with a fresh retry window (admin).",
        extensions=[requires(policy.WEBHOOK_ADMIN_ROLES, "replay dead letters")],
    )
    async def replay_dead_letter(self, info: Info, id: int) -> bool:  # noqa: A002
        await service.replay_dead_letter(info.context.db, id)
        return True
