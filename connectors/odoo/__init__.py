"""Odoo, an ERP: customers with their addresses and payment terms, orders and invoices.

The type's one description; its connector (`connector.py`, the external JSON-RPC API) and its
`mapping` table (`mapping.py`) live beside it, and `connectors.registry` registers it.
"""

from __future__ import annotations

from connectors.odoo.connector import OdooConnector
from connectors.odoo.mapping import OdooMapping
from connectors.records import ConnectorKind, SourceKind
from connectors.system_type import Secret, SystemType

ODOO = SystemType(
    name="odoo",
    kind=ConnectorKind.ERP,
    serves=(SourceKind.ERP_PARTNER, SourceKind.ERP_ORDERS, SourceKind.ERP_INVOICES),
    mapping=OdooMapping,
    connector=OdooConnector,
    secret=Secret.CONNECTOR,  # the API key travels inside each JSON-RPC call
)
