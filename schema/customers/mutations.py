"""Customer mutations: thin wrappers that read input, call app.customers, and map the result."""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.customers import activity
from app.customers.contact_points import NewContactPoint, PostalAddress
from app.privacy.policy import STAFF_ROLES
from app.store.models import ContactKind
from schema.context import Info
from schema.customers.inputs import (
    AddContactPointInput,
    AddressInput,
    CreateCustomerInput,
    LinkSourceIdentityInput,
    RecordInteractionInput,
    RecordMetricInput,
    UpdateCustomerInput,
)
from schema.customers.parts import CONTACT_POINT_TYPE, Interaction
from schema.customers.types import Customer, MetricObservation
from schema.ids import int_node_id_of, node_id_of
from schema.permissions import requires

_PROFILE_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "birth_date",
    "locale",
    "lifecycle_stage",
    "profile_type",
    "segment",
    "loyalty_id",
)


def _enum_value(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _profile(input_: Any) -> dict[str, Any]:
    """The profile fields the caller actually sent (UNSET ones are left out)."""
    return {
        name: _enum_value(getattr(input_, name))
        for name in _PROFILE_FIELDS
        if getattr(input_, name) is not strawberry.UNSET
        and not (isinstance(input_, CreateCustomerInput) and getattr(input_, name) is None)
    }


def _details(given: JSON | None) -> dict[str, Any] | None:
    # Strawberry types the JSON scalar as `object`; the app takes the value as the client sent
    # it (it checks its size, and stores it as JSON).
    return cast("dict[str, Any] | None", given)


def _address(given: AddressInput) -> PostalAddress:
    return PostalAddress(
        street=given.street,
        city=given.city,
        country=given.country,
        postcode=given.postcode,
        region=given.region,
        address_line2=given.address_line2,
    )


def _new_points(input_: CreateCustomerInput) -> list[NewContactPoint]:
    points = [
        NewContactPoint(kind=ContactKind.EMAIL, value=email, is_primary=index == 0)
        for index, email in enumerate(input_.emails)
    ]
    points += [
        NewContactPoint(kind=ContactKind.PHONE, value=phone, is_primary=index == 0)
        for index, phone in enumerate(input_.phones)
    ]
    points += [
        NewContactPoint(
            kind=ContactKind.ADDRESS,
            address=_address(address),
            label=address.label,
            is_primary=index == 0,
        )
        for index, address in enumerate(input_.addresses)
    ]
    return points


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(
        description="Create a customer with its first contact points.",
        extensions=[requires(STAFF_ROLES, "create customers")],
    )
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> Customer | None:  # noqa: A002
        row = await info.context.customers.create_customer(_profile(input), _new_points(input))
        return Customer.from_model(row)

    @strawberry.mutation(
        description="Change a customer's profile if `version` is still current.",
        extensions=[requires(STAFF_ROLES, "update customers")],
    )
    async def update_customer(self, info: Info, input: UpdateCustomerInput) -> Customer | None:  # noqa: A002
        row = await info.context.customers.update_customer(
            node_id_of(input.id, "Customer"), input.version, _profile(input)
        )
        return Customer.from_model(row)

    @strawberry.mutation(
        description="Add an email, phone or postal address to a customer.",
        extensions=[requires(STAFF_ROLES, "change contact points")],
    )
    async def add_contact_point(self, info: Info, input: AddContactPointInput) -> Customer | None:  # noqa: A002
        customer = await info.context.customers.add_contact_point(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            NewContactPoint(
                kind=ContactKind(input.kind.value),
                value=input.value,
                address=_address(input.address) if input.address else None,
                label=input.address.label if input.address else input.label,
                is_primary=input.is_primary,
                verified=input.verified,
            ),
        )
        return Customer.from_model(customer)

    @strawberry.mutation(
        description="Remove a contact point; returns its customer.",
        extensions=[requires(STAFF_ROLES, "change contact points")],
    )
    async def remove_contact_point(self, info: Info, id: relay.GlobalID) -> Customer | None:  # noqa: A002
        customer = await info.context.customers.remove_contact_point(
            int_node_id_of(id, CONTACT_POINT_TYPE)
        )
        return Customer.from_model(customer)

    @strawberry.mutation(
        description="Record an interaction on a customer's timeline.",
        extensions=[requires(STAFF_ROLES, "record interactions")],
    )
    async def record_interaction(
        self,
        info: Info,
        input: RecordInteractionInput,  # noqa: A002
    ) -> Interaction | None:
        row = await info.context.customers.record_interaction(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            activity.NewInteraction(
                channel=input.channel,
                kind=input.kind,
                summary=input.summary,
                occurred_at=input.occurred_at,
                source=input.source,
                details=_details(input.details),
            ),
        )
        return Interaction.from_model(row)

    @strawberry.mutation(
        description="Append a metric observation to a customer's history.",
        extensions=[requires(STAFF_ROLES, "record metrics")],
    )
    async def record_metric(self, info: Info, input: RecordMetricInput) -> MetricObservation | None:  # noqa: A002
        row = await info.context.customers.record_metric(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            activity.NewMetric(
                name=input.name,
                value=input.value,
                observed_at=input.observed_at,
                source=input.source,
                method=input.method,
                details=_details(input.details),
            ),
        )
        return MetricObservation.from_model(row)

    @strawberry.mutation(
        description="Link a source-system identity to a customer.",
        extensions=[requires(STAFF_ROLES, "link source identities")],
    )
    async def link_source_identity(
        self,
        info: Info,
        input: LinkSourceIdentityInput,  # noqa: A002
    ) -> Customer | None:
        link = await info.context.customers.link_source_identity(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            input.system,
            input.external_id,
        )
        row = await info.context.loaders.customer_by_id.load(link.customer_id)
        return Customer.from_model(row) if row is not None else None
