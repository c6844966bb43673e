"""Every `@pii` field of the history types, as the schema's PII matrix test counts them."""

from __future__ import annotations

HISTORY_PII_FIELDS = frozenset(
    {
        "CustomerChange.oldValue",
        "CustomerChange.newValue",
        "CustomerAsOf.givenName",
        "CustomerAsOf.middleName",
        "CustomerAsOf.familyName",
        "CustomerAsOf.birthDate",
        "CustomerAsOf.loyaltyId",
    }
)
