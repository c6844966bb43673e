"""Customer mutations: thin wrappers that read input, call app.customers, and map the result."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.customers import activity, contact_points, profiles
from app.customers.contact_points import NewContactPoint, PostalAddress
from app.privacy.policy import STAFF_ROLES
from app.store.models import ContactKind
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
    @strawberry.mutation(description="Create a customer with its first contact points.")
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> Customer | None:  # noqa: A002
        info.context.access.require(STAFF_ROLES, "create customers")
        row = await profiles.create_customer(
            info.context.db,
            profiles.NewCustomer(profile=_profile(input), contact_points=_new_points(input)),
            default_region=info.context.settings.default_phone_region,
            settings=info.context.settings,
        )
        info.context.access.record_change(row.id, "create", _profile(input))
        return Customer.from_model(row)

    @strawberry.mutation(description="Change a customer's profile if `version` is still current.")
    async def update_customer(self, info: Info, input: UpdateCustomerInput) -> Customer | None:  # noqa: A002
        info.context.access.require(STAFF_ROLES, "update customers")
        row = await profiles.update_customer(
            info.context.db,
            customer_id=node_id_of(input.id, "Customer"),
            version=input.version,
            changes=_profile(input),
            settings=info.context.settings,
        )
        info.context.access.record_change(row.id, "update", _profile(input))
        return Customer.from_model(row)

    @strawberry.mutation(description="Add an email, phone or postal address to a customer.")
    async def add_contact_point(self, info: Info, input: AddContactPointInput) -> Customer | None:  # noqa: A002
        info.context.access.require(STAFF_ROLES, "change contact points")
        customer, _ = await contact_points.add_contact_point(
            info.context.db,
            customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
            point=NewContactPoint(
                kind=ContactKind(input.kind.value),
                value=input.value,
                address=_address(input.address) if input.address else None,
                label=input.address.label if input.address else input.label,
                is_primary=input.is_primary,
                verified=input.verified,
            ),
            default_region=info.context.settings.default_phone_region,
            settings=info.context.settings,
        )
        info.context.access.record_change(customer.id, "add_contact_point", [input.kind.value])
        return Customer.from_model(customer)

    @strawberry.mutation(description="Remove a contact point; returns its customer.")
    async def remove_contact_point(self, info: Info, id: relay.GlobalID) -> Customer | None:  # noqa: A002
        info.context.access.require(STAFF_ROLES, "change contact points")
        customer = await contact_points.remove_contact_point(
            info.context.db, contact_point_id=int_node_id_of(id, CONTACT_POINT_TYPE)
        )
        info.context.access.record_change(customer.id, "remove_contact_point", [])
        return Customer.from_model(customer)

    @strawberry.mutation(description="Record an interaction on a customer's timeline.")
    async def record_interaction(
        self,
        info: Info,
        input: RecordInteractionInput,  # noqa: A002
    ) -> Interaction | None:
        info.context.access.require(STAFF_ROLES, "record interactions")
        row = await activity.record_interaction(
            info.context.db,
            customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
            new=activity.NewInteraction(
                channel=input.channel,
                kind=input.kind,
                summary=input.summary,
                occurred_at=input.occurred_at,
                source=input.source,
                details=input.details,
            ),
        )
        info.context.access.record_change(row.customer_id, "record_interaction", [])
        # Engagement, recency and churn risk read local interactions: keep them current.
        await info.context.recompute_metrics(row.customer_id)
        return Interaction.from_model(row)

    @strawberry.mutation(description="Append a metric observation to a customer's history.")
    async def record_metric(self, info: Info, input: RecordMetricInput) -> MetricObservation | None:  # noqa: A002
        info.context.access.require(STAFF_ROLES, "record metrics")
        row = await activity.record_metric(
            info.context.db,
            customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
            new=activity.NewMetric(
                name=input.name,
                value=input.value,
                observed_at=input.observed_at,
                source=input.source,
                method=input.method,
                details=input.details,
            ),
        )
        info.context.access.record_change(row.customer_id, "record_metric", [row.name])
        return MetricObservation.from_model(row)

    @strawberry.mutation(description="Link a source-system identity to a customer.")
    async def link_source_identity(
        self,
        info: Info,
        input: LinkSourceIdentityInput,  # noqa: A002
    ) -> Customer | None:
        info.context.access.require(STAFF_ROLES, "link source identities")
        link = await activity.link_source_identity(
            info.context.db,
            customer_id=node_id_of(input.customer_id, "Customer", argument="customerId"),
            system=input.system,
            external_id=input.external_id,
            settings=info.context.settings,
        )
        info.context.access.record_change(link.customer_id, "link_source_identity", [link.system])
        row = await info.context.loaders.customer_by_id.load(link.customer_id)
        return Customer.from_model(row) if row is not None else None
