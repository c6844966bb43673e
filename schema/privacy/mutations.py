"""Consent, preferences and self-service mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from app.customers import preferences, profiles
from app.graph import invalidate_customer
from app.privacy import consent, lookalikes, policy
from app.privacy.principals import Role
from app.store.types import utcnow
from schema.customers.parts import Consent, Preferences
from schema.customers.types import Customer
from schema.ids import int_node_id_of, node_id_of
from schema.privacy.inputs import (
    MyConsentInput,
    PreferencesInput,
    RecordConsentInput,
    SetPreferencesInput,
    UpdateMyProfileInput,
)
from schema.privacy.requests import erase, export_for
from schema.privacy.types import LOOKALIKE_TYPE, DataExport, Erasure, ErasureLookalike

SELF_SERVICE = "self_service"
_MY_PROFILE_FIELDS = ("given_name", "middle_name", "family_name", "birth_date", "locale")
_CUSTOMER_ONLY = frozenset({Role.CUSTOMER})


def _my_id(info: Info) -> str:
    info.context.access.require(_CUSTOMER_ONLY, "use self-service mutations")
    subject: str = info.context.access.principal.subject
    return subject


async def _record_consent(info: Info, customer_id: str, new: consent.NewConsent) -> Consent:
    event = await consent.record_consent(info.context.db, customer_id=customer_id, new=new)
    if info.context.graph is not None:
        # Nothing cached about the customer may outlive a consent change.
        await invalidate_customer(info.context.graph, info.context.db, event.customer_id)
    info.context.access.record_change(
        event.customer_id, "consent", [f"{new.purpose.value}.{new.channel.value}"]
    )
    # Churn risk reads the email marketing consent (unsubscribed): keep it current.
    await info.context.recompute_metrics(event.customer_id)
    return Consent.from_model(event, utcnow())


async def _set_preferences(
    info: Info, customer_id: str, given: PreferencesInput, *, source: str = "gateway"
) -> Preferences:
    row = await preferences.set_preferences(
        info.context.db,
        customer_id=customer_id,
        new=preferences.NewPreferences(
            channels=[consent.ConsentChannel(channel.value) for channel in given.channels],
            frequency=given.frequency,
            topics=given.topics,
            product_interests=given.product_interests,
        ),
        source=source,
    )
    info.context.access.record_change(row.customer_id, "preferences", ["preferences"])
    return Preferences.from_model(row)


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(description="Append a consent decision to a customer's ledger.")
    async def record_consent(self, info: Info, input: RecordConsentInput) -> Consent | None:  # noqa: A002
        info.context.access.require(policy.STAFF_ROLES, "record consent")
        return await _record_consent(
            info,
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

    @strawberry.mutation(description="Replace a customer's communication preferences.")
    async def set_preferences(self, info: Info, input: SetPreferencesInput) -> Preferences | None:  # noqa: A002
        info.context.access.require(policy.STAFF_ROLES, "set preferences")
        customer_id = node_id_of(input.customer_id, "Customer", argument="customerId")
        return await _set_preferences(info, customer_id, input)

    @strawberry.mutation(description="Change your own profile (self-service; marks it verified).")
    async def update_my_profile(self, info: Info, input: UpdateMyProfileInput) -> Customer | None:  # noqa: A002
        customer_id = _my_id(info)
        changes: dict[str, Any] = {
            name: getattr(input, name)
            for name in _MY_PROFILE_FIELDS
            if getattr(input, name) is not strawberry.UNSET
        }
        row = await profiles.update_customer(
            info.context.db,
            customer_id=customer_id,
            version=input.version,
            changes=changes,
            source=SELF_SERVICE,
            verified=True,
        )
        info.context.access.record_change(row.id, "update", changes)
        return Customer.from_model(row)

    @strawberry.mutation(description="Grant, deny or withdraw one of your own consents.")
    async def set_my_consent(self, info: Info, input: MyConsentInput) -> Consent | None:  # noqa: A002
        return await _record_consent(
            info,
            _my_id(info),
            consent.NewConsent(
                purpose=consent.ConsentPurpose(input.purpose.value),
                channel=consent.ConsentChannel(input.channel.value),
                status=consent.ConsentState(input.status.value),
                source=SELF_SERVICE,
                evidence=input.evidence,
            ),
        )

    @strawberry.mutation(description="Replace your own communication preferences.")
    async def set_my_preferences(self, info: Info, input: PreferencesInput) -> Preferences | None:  # noqa: A002
        return await _set_preferences(info, _my_id(info), input, source=SELF_SERVICE)

    @strawberry.mutation(
        description="Export everything held or linked about you, as one document. Audited."
    )
    async def request_my_data_export(self, info: Info) -> DataExport | None:
        return await export_for(info, _my_id(info))

    @strawberry.mutation(
        description="Erase a customer from the gateway and ask every linked system to erase them "
        "(admins only). Irreversible; call again to retry systems that failed. Audited."
    )
    async def erase_customer(self, info: Info, customer_id: relay.GlobalID) -> Erasure | None:
        info.context.access.require(policy.ERASURE_ROLES, "erase customers")
        return await erase(info, node_id_of(customer_id, "Customer", argument="customerId"))

    @strawberry.mutation(
        description="Record that an erasure look-alike is someone else than the erased person "
        "(stewards and admins); if it is the same person, erase it with eraseCustomer."
    )
    async def dismiss_erasure_lookalike(
        self,
        info: Info,
        id: relay.GlobalID,  # noqa: A002
    ) -> ErasureLookalike | None:
        access = info.context.access
        access.require(policy.LOOKALIKE_REVIEWERS, "review erasure look-alikes")
        row = await lookalikes.dismiss_lookalike(
            info.context.db,
            lookalike_id=int_node_id_of(id, LOOKALIKE_TYPE),
            decided_by=access.principal.id,
        )
        access.record_change(row.customer_id, "dismiss_erasure_lookalike", [])
        return ErasureLookalike.from_model(row)
