"""Per-request access decisions: which customers a principal reaches, what it sees, and the log.

One `RequestAccess` lives for one request. Resolvers ask it before returning a customer and
before returning a personal-data field; it remembers every raw personal-data read (for the
audit log, written once per customer at the end of the request) and every masking or omission
(reported to the client as `extensions.redactions`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.errors import ConsentRequiredError, ForbiddenError
from app.privacy import policy
from app.privacy.consent import holds
from app.privacy.masking import PiiKind, mask
from app.privacy.principals import Principal, Role
from app.store.models import ConsentEvent


class RequestAccess:
    """The access state of one request for one principal."""

    def __init__(self, principal: Principal, request_id: str) -> None:
        self.principal = principal
        self.request_id = request_id
        self.raw_pii = policy.sees_raw_pii(principal)
        self.consent_purpose = policy.consent_needed(principal)
        self.reads: dict[str, set[str]] = defaultdict(set)
        self.changes: list[tuple[str, str, list[str]]] = []
        self._redactions: dict[tuple[str, str], set[str]] = defaultdict(set)

    def require(self, allowed: frozenset[Role], action: str) -> None:
        """Raise `ForbiddenError` unless the principal's role is in `allowed`."""
        policy.require_role(self.principal, allowed, action)

    def check_customer(
        self, customer_id: str, latest_consents: Iterable[ConsentEvent], now: datetime
    ) -> None:
        """Raise unless the principal may see this customer at all (self-only, consent)."""
        if self.principal.role is Role.CUSTOMER and customer_id != self.principal.subject:
            raise ForbiddenError("a customer may only reach their own record")
        if self.principal.role not in policy.CUSTOMER_READ_ROLES:
            raise ForbiddenError(f"role {self.principal.role.value} may not read customers")
        purpose = self.consent_purpose
        if purpose is not None and not holds(latest_consents, purpose.value, None, now):
            self.redact(customer_id, "*", "consent")
            raise ConsentRequiredError(
                f"the customer has not granted consent for {purpose.value}",
                purpose=purpose.value,
            )

    def reveal(self, customer_id: str, field: str, value: Any, kind: PiiKind) -> Any:
        """The value this principal may see for a personal-data field (raw or masked)."""
        if value is None:
            return None
        if self.raw_pii:
            self.reads[customer_id].add(field)
            return value
        self.redact(customer_id, field, "role")
        return mask(value, kind)

    def redact(self, customer_id: str, field: str, reason: str) -> None:
        """Remember that `field` of this customer was masked or withheld, and why."""
        self._redactions[(customer_id, reason)].add(field)

    def record_change(self, customer_id: str, action: str, fields: Iterable[str]) -> None:
        """Remember a change for the audit log."""
        self.changes.append((customer_id, action, sorted(fields)))

    def redactions(self) -> list[dict[str, Any]]:
        """What was masked or withheld, per customer and reason, for `extensions.redactions`."""
        return [
            {"customerId": customer_id, "reason": reason, "fields": sorted(fields)}
            for (customer_id, reason), fields in sorted(self._redactions.items())
        ]

    def audit_rows(self) -> list[dict[str, Any]]:
        """One audit row per customer whose personal data was read raw, plus one per change."""
        base = {
            "principal": self.principal.id,
            "role": self.principal.role.value,
            "purpose": self.principal.purpose.value,
            "request_id": self.request_id,
        }
        rows = [
            {**base, "action": "read", "customer_id": customer_id, "fields": sorted(fields)}
            for customer_id, fields in sorted(self.reads.items())
        ]
        rows += [
            {**base, "action": action, "customer_id": customer_id, "fields": fields}
            for customer_id, action, fields in self.changes
        ]
        return rows

    def record_read(self, customer_id: str, fields: Iterable[str]) -> None:
        """Remember a read of this customer's personal data that no `@pii` field saw (search)."""
        self.reads[customer_id].update(fields)
