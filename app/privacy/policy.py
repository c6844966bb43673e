"""Who may do what: the role and purpose rules, in one place.

- Raw personal data: `admin`, `steward`, `support_agent`, and a `customer` for their own record.
  Every other role gets masked values.
- A principal whose purpose needs consent (marketing, personalization, profiling, third-party
  sharing) sees nothing of a customer who has not granted that purpose now.
- A `customer` principal reaches only its own record, through `me` and self-service mutations.

Every role set the gateway checks is defined here: GraphQL fields name the set they need
(`schema/permissions.py`), and subscriptions check theirs in `app/events/access.py`.
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
ADMIN_ROLES = frozenset({Role.ADMIN})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER})
"""Self-service (`me`, `myAccessLog`, the `...My...` mutations): the customer themselves."""
CUSTOMER_READ_ROLES = READ_ROLES | CUSTOMER_ROLES
"""Roles that may reach a customer at all (a customer only its own record)."""
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


def require_self_or_role(
    principal: Principal, customer_id: str, allowed: frozenset[Role], action: str
) -> None:
    """`require_role`, except that a customer always reaches their own record."""
    if not (principal.role is Role.CUSTOMER and principal.subject == customer_id):
        require_role(principal, allowed, action)


# Data subject requests. An export gathers everything about a person in one document, so it
# is for the people who answer such requests (admins, stewards), not for every raw-PII role;
# a customer exports their own record through `requestMyDataExport`. Erasure is irreversible
# and reaches into every source system: admins only. Audit trails (and another customer's
# access log) are for admins too.
EXPORT_ROLES = frozenset({Role.ADMIN, Role.STEWARD})
ERASURE_ROLES = ADMIN_ROLES
AUDIT_ROLES = ADMIN_ROLES
# Live customers that held an erased person's identifiers are reviewed by stewards (and admins).
LOOKALIKE_REVIEWERS = frozenset({Role.ADMIN, Role.STEWARD})

# Identities: stewards (and admins) decide candidates, merge and unmerge, work the webhooks'
# matching queue and re-verify stale contact data; analysts may list candidates too (their
# personal data stays masked).
IDENTITY_STEWARDS = frozenset({Role.ADMIN, Role.STEWARD})
IDENTITY_REVIEWERS = frozenset({Role.ADMIN, Role.STEWARD, Role.ANALYST})

# Aggregates with no personal data (business metrics, retention cohorts, metric summaries,
# data-quality KPIs): for analysts as well as admins and stewards. Setting where a customer came
# from and recording what acquiring customers cost changes the figures everyone reports: admins
# and stewards.
AGGREGATE_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.ANALYST})
BUSINESS_METRICS_ROLES = AGGREGATE_ROLES
ACQUISITION_WRITE_ROLES = frozenset({Role.ADMIN, Role.STEWARD})

# Change events: one customer's for every role that may read it (a customer only its own);
# every customer's for staff. Outbound webhook endpoints and their dead letters: admins.
CUSTOMER_EVENT_ROLES = CUSTOMER_READ_ROLES
EVENT_STREAM_ROLES = STAFF_ROLES
WEBHOOK_ADMIN_ROLES = ADMIN_ROLES
