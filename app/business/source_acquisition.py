"""What the source systems say about where a customer came from: a CRM contact's original
source (HubSpot `hs_analytics_source`, its drill-down as the campaign) and the date it became a
customer (`hs_lifecyclestage_customer_date`). Stored by `c360 sync` under rule
`earliest_source`."""

from __future__ import annotations

from app.business.acquisition import ExternalAcquisition
from connectors.records import CrmContact, SourceChange


def acquisition_from_change(change: SourceChange) -> ExternalAcquisition | None:
    """The acquisition a change reports, or None (not a customer yet, or no source)."""
    record = change.record
    if not isinstance(record, CrmContact) or record.archived:
        return None
    if record.became_customer_at is None or record.original_source is None:
        return None
    return ExternalAcquisition(
        record_id=record.external_id,
        acquired_at=record.became_customer_at,
        channel=record.original_source,
        campaign=record.original_source_detail,
    )
