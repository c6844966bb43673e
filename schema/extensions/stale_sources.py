"""Reports in `extensions.staleSources` which customers' data came from a stale cached copy.

A source that fails while a cached copy is within its stale-if-error window still answers: the
data is served, flagged here and as `STALE` in `Customer.sources`, and no error is added. Most
clients treat any entry in `errors` as a failure; an error there would make them throw away a
good answer. `SOURCE_UNAVAILABLE` is kept for data that is missing (its field is null).
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.relay import to_base64


class StaleSources(SchemaExtension):
    """Adds `staleSources`: per customer and system, when the stale copy served was fetched."""

    def get_results(self) -> dict[str, Any]:
        sources = getattr(self.execution_context.context, "sources", None)
        stale = getattr(sources, "stale", None)
        if not stale:
            return {}
        return {
            "staleSources": [
                {
                    "customerId": to_base64("Customer", customer_id),
                    "source": system,
                    "fetchedAt": fetched_at.isoformat() if fetched_at else None,
                }
                for (customer_id, system), fetched_at in sorted(stale.items())
            ]
        }
