"""Who may do what: the role and purpose rules, in one place.

- Raw personal data: `admin`, `steward`, `support_agent`, and a `customer` for their own record.
  Every other role gets masked values.
- A principal whose purpose needs consent (marketing, personalization, profiling, third-party
  sharing) sees nothing of a customer who has not granted that purpose now.
- A `customer` principal reaches only its own record, through `me` and self-service mutations.
"""

from __future__ import annotations

from app.errors import ForbiddenError
from app.privacy.consent import ConsentPurpose
from app.privacy.principals import Principal, Purpose, Role

RAW_PII_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.SUPPORT_AGENT, Role.CUSTOMER})
STAFF_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.SUPPORT_AGENT})
READ_ROLES = frozenset(
    {Role.ADMIN, Role.STEWARD, Role.SUPPORT_AGENT, Role.ANALYST, Role.PERSONALIZATION}
)
CONSENT_GATED_PURPOSES: dict[str, ConsentPurpose] = {
    Purpose.MARKETING: ConsentPurpose.MARKETING,
    Purpose.PERSONALIZATION: ConsentPurpose.PERSONALIZATION,
    Purpose.PROFILING: ConsentPurpose.PROFILING,
    Purpose.THIRD_PARTY_SHARING: ConsentPurpose.THIRD_PARTY_SHARING,
}


def sees_raw_pii(principal: Principal) -> bool:
    return principal.role in RAW_PII_ROLES


def consent_needed(principal: Principal) -> ConsentPurpose | None:
    """The consent purpose the principal's purpose depends on, if any."""
    return CONSENT_GATED_PURPOSES.get(principal.purpose)


def require_role(principal: Principal, allowed: frozenset[Role], action: str) -> None:
    """Raise `ForbiddenError` unless the principal's role is in `allowed`."""
    if principal.role not in allowed:
        raise ForbiddenError(f"role {principal.role.value} may not {action}", action=action)


# Data subject requests. An export gathers everything about a person in one document, so it
# is for the people who answer such requests (admins, stewards), not for every raw-PII role;
# a customer exports their own record through `requestMyDataExport`. Erasure is irreversible
# and reaches into every source system: admins only.
EXPORT_ROLES = frozenset({Role.ADMIN, Role.STEWARD})
ERASURE_ROLES = frozenset({Role.ADMIN})
# Live customers that held an erased person's identifiers are reviewed by stewards (and admins).
LOOKALIKE_REVIEWERS = frozenset({Role.ADMIN, Role.STEWARD})

# Business metrics (businessMetrics, retentionCohorts) are aggregates with no personal data:
# for analysts as well as admins and stewards. Setting where a customer came from and recording
# what acquiring customers cost changes the figures everyone reports: admins and stewards.
BUSINESS_METRICS_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.ANALYST})
ACQUISITION_WRITE_ROLES = frozenset({Role.ADMIN, Role.STEWARD})
