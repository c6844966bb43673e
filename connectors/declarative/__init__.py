"""Systems described entirely in the connectors TOML file: REST/JSON endpoints, paging, mapping.

A table `[connectors.<name>]` with `type = "rest"` describes its system in `mapping`
(`config.RestDescription`): auth, one endpoint per kind of data, its paging and a jmespath field
mapping to the gateway's records. `connector.DeclarativeConnector` serves it through the shared
`SourceClient`, so it has the same timeouts, retries, circuit, in-flight limit and metrics as the
coded connectors. `REST` below is the type's description, registered like any coded type's.
"""

from __future__ import annotations

from connectors.declarative.config import RestDescription
from connectors.declarative.connector import DeclarativeConnector
from connectors.records import ConnectorKind
from connectors.system_type import Secret, SystemType

REST = SystemType(
    name="rest",
    kind=ConnectorKind.CRM,  # a described system serves CRM records
    serves=(),  # each described system serves the kinds its description lists
    mapping=RestDescription,
    connector=DeclarativeConnector,
    secret=Secret.DESCRIBED,  # bearer, basic, API-key header or OAuth 2, per `mapping.auth`
    webhooks=("zendesk",),  # a described system names the vendor format its webhooks use
    webhook_named=True,
)
