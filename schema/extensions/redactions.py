"""Reports in `extensions.redactions` what was masked or withheld, for whom, and why.

A frontend can then tell "no data" from "not allowed".
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.relay import to_base64


class Redactions(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        access = getattr(context, "access", None)
        if access is None:
            return {}
        redactions = access.redactions()
        if not redactions:
            return {}
        return {
            "redactions": [
                {**entry, "customerId": to_base64("Customer", entry["customerId"])}
                for entry in redactions
            ]
        }
