"""HubSpot, a CRM: contacts, their tickets and logged engagements; search and GDPR erasure.

The type's one description; its connector (`connector.py`, CRM v3 and associations v4) and its
`mapping` table (`mapping.py`) live beside it, and `connectors.registry` registers it.
"""

from __future__ import annotations

from connectors.hubspot.connector import HubSpotConnector
from connectors.hubspot.mapping import HubSpotMapping
from connectors.records import ConnectorKind, SourceKind
from connectors.system_type import Secret, SystemType

HUBSPOT = SystemType(
    name="hubspot",
    kind=ConnectorKind.CRM,
    serves=(SourceKind.CRM_CONTACT, SourceKind.CRM_TICKETS, SourceKind.CRM_ENGAGEMENTS),
    mapping=HubSpotMapping,
    connector=HubSpotConnector,
    secret=Secret.BEARER,  # a private-app access token
    webhooks=("hubspot",),  # contact and ticket events, signed v3
)
