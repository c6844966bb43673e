"""Consent, preferences and self-service mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.permission import PermissionExtension

from app.customers.preferences import NewPreferences
from app.customers.service import SELF_SERVICE
from app.privacy import consent, policy
from app.store.types import utcnow
from schema.context import Info
from schema.customers.parts import Consent, Preferences
from schema.customers.types import Customer
from schema.ids import int_node_id_of, node_id_of
from schema.permissions import requires
from schema.privacy.inputs import (
    MyConsentInput,
    PreferencesInput,
    RecordConsentInput,
    SetPreferencesInput,
    UpdateMyProfileInput,
)
from schema.privacy.requests import erase, export_for
from schema.privacy.types import LOOKALIKE_TYPE, DataExport, Erasure, ErasureLookalike

_MY_PROFILE_FIELDS = ("given_name", "middle_name", "family_name", "birth_date", "locale")


def _self_service() -> PermissionExtension:
    # One extension per field: Strawberry applies an extension to the field it is given.
    return requires(policy.CUSTOMER_ROLES, "use self-service mutations")


def _new_preferences(given: PreferencesInput) -> NewPreferences:
    return NewPreferences(
        channels=[consent.ConsentChannel(channel.value) for channel in given.channels],
        frequency=given.frequency,
        topics=given.topics,
        product_interests=given.product_interests,
    )


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Append a consent decision to a customer's ledger.",
        extensions=[requires(policy.STAFF_ROLES, "record consent")],
    )
    async def record_consent(self, info: Info, input: RecordConsentInput) -> Consent | None:  # noqa: A002
        event = await info.context.customers.record_consent(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            consent.NewConsent(
                purpose=consent.ConsentPurpose(input.purpose.value),
                channel=consent.ConsentChannel(input.channel.value),
                status=consent.ConsentState(input.status.value),
                lawful_basis=consent.LawfulBasis(input.lawful_basis.value),
                source=input.source,
                evidence=input.evidence,
                expires_at=input.expires_at,
            ),
        )
        return Consent.from_model(event, utcnow())

    @strawberry.mutation(
        description="Replace a customer's communication preferences.",
        extensions=[requires(policy.STAFF_ROLES, "set preferences")],
    )
    async def set_preferences(self, info: Info, input: SetPreferencesInput) -> Preferences | None:  # noqa: A002
        row = await info.context.customers.set_preferences(
            node_id_of(input.customer_id, "Customer", argument="customerId"),
            _new_preferences(input),
        )
        return Preferences.from_model(row)

    @strawberry.mutation(
        description="Change your own profile (self-service; marks it verified).",
        extensions=[_self_service()],
    )
    async def update_my_profile(self, info: Info, input: UpdateMyProfileInput) -> Customer | None:  # noqa: A002
        changes: dict[str, Any] = {
            name: getattr(input, name)
            for name in _MY_PROFILE_FIELDS
            if getattr(input, name) is not strawberry.UNSET
        }
        row = await info.context.customers.update_own_profile(input.version, changes)
        return Customer.from_model(row)

    @strawberry.mutation(
        description="Grant, deny or withdraw one of your own consents.",
        extensions=[_self_service()],
    )
    async def set_my_consent(self, info: Info, input: MyConsentInput) -> Consent | None:  # noqa: A002
        service = info.context.customers
        event = await service.record_consent(
            service.own_id(),
            consent.NewConsent(
                purpose=consent.ConsentPurpose(input.purpose.value),
                channel=consent.ConsentChannel(input.channel.value),
                status=consent.ConsentState(input.status.value),
                source=SELF_SERVICE,
                evidence=input.evidence,
            ),
        )
        return Consent.from_model(event, utcnow())

    @strawberry.mutation(
        description="Replace your own communication preferences.",
        extensions=[_self_service()],
    )
    async def set_my_preferences(self, info: Info, input: PreferencesInput) -> Preferences | None:  # noqa: A002
        service = info.context.customers
        row = await service.set_preferences(
            service.own_id(), _new_preferences(input), source=SELF_SERVICE
        )
        return Preferences.from_model(row)

    @strawberry.mutation(
        description="Export everything held or linked about you, as one document. Audited.",
        extensions=[_self_service()],
    )
    async def request_my_data_export(self, info: Info) -> DataExport | None:
        return await export_for(info, info.context.customers.own_id())

    @strawberry.mutation(
        description="Erase a customer from the gateway and ask every linked system to erase them "
        "(admins only). Irreversible; call again to retry systems that failed. Audited.",
        extensions=[requires(policy.ERASURE_ROLES, "erase customers")],
    )
    async def erase_customer(self, info: Info, customer_id: relay.GlobalID) -> Erasure | None:
        return await erase(info, node_id_of(customer_id, "Customer", argument="customerId"))

    @strawberry.mutation(
        description="Record that an erasure look-alike is someone else than the erased person "
        "(stewards and admins); if it is the same person, erase it with eraseCustomer.",
        extensions=[requires(policy.LOOKALIKE_REVIEWERS, "review erasure look-alikes")],
    )
    async def dismiss_erasure_lookalike(
        self,
        info: Info,
        id: relay.GlobalID,  # noqa: A002
    ) -> ErasureLookalike | None:
        row = await info.context.subject_requests.dismiss_lookalike(
            int_node_id_of(id, LOOKALIKE_TYPE)
        )
        return ErasureLookalike.from_model(row)
