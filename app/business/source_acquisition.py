"""What the source systems say about where a customer came from: a CRM contact's original
source (HubSpot `hs_analytics_source`, its drill-down as the campaign) and the date it became a
customer (`hs_lifecyclestage_customer_date`); an ERP customer's first confirmed order, its UTM
source and campaign (Odoo `sale.order` `source_id`, `campaign_id`) and its date. Stored by
`c360 sync` under rule `earliest_source`."""

from __future__ import annotations

from collections.abc import Sequence

from app.business.acquisition import ExternalAcquisition
from connectors.base import Connector, ErpConnector
from connectors.records import CrmContact, ErpPartner, SourceChange

# Orders that are purchases (as in app/metrics/inputs.py): quotations and cancelled ones are not.
_CONFIRMED = frozenset({"sale", "done"})
# Customers whose orders one ERP read fetches.
_ORDER_BATCH = 200


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


def erp_customer(change: SourceChange) -> str | None:
    """The id of the ERP customer a change is about (whose first order may say where it
    came from), or None."""
    record = change.record
    if isinstance(record, ErpPartner) and record.is_customer:
        return record.external_id
    return None


async def first_order_acquisitions(
    connector: Connector, customer_ids: Sequence[str]
) -> list[ExternalAcquisition]:
    """Each customer's first confirmed order, when it names its UTM source: its date, source
    (the channel) and campaign. Reads orders in batches; nothing for a non-ERP connector."""
    if not isinstance(connector, ErpConnector):
        return []
    found: list[ExternalAcquisition] = []
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _ORDER_BATCH):
        orders = await connector.fetch_orders(ids[start : start + _ORDER_BATCH])
        for customer_id, placed in orders.items():
            confirmed = [order for order in placed if order.state in _CONFIRMED]
            if not confirmed:
                continue
            first = min(confirmed, key=lambda order: order.ordered_at)
            if first.utm_source is None:
                continue
            found.append(
                ExternalAcquisition(
                    record_id=customer_id,
                    acquired_at=first.ordered_at,
                    channel=first.utm_source,
                    campaign=first.utm_campaign,
                )
            )
    return found
