"""Which source systems' webhooks the gateway receives at `/webhooks/<system name>`, in which
vendor's format, and under which signing secret.

A system of the connectors file with a `webhook` table is received under its own name, in its
type's format (a described system names its format), with the secret held by the variable its
`secret_env` names: a second HubSpot portal (`[connectors.hubspot_eu]`, `type = "hubspot"`)
has its own URL, secret and event ids, and its events name it as their source. The vendors'
default names keep the settings they had before a connectors file could say so, unless their
table has a `webhook`: `hubspot` (`C360_HUBSPOT_WEBHOOK_SECRET`), `surveymonkey`
(`C360_SURVEYMONKEY_WEBHOOK_CLIENT_ID` and `..._SECRET`) and `zendesk`
(`C360_ZENDESK_WEBHOOK_SECRET`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from app.settings import Settings
from connectors.config import ConnectorConfigError, ConnectorSettings, WebhookFormat


@dataclass(frozen=True, slots=True)
class WebhookSource:
    """One system whose webhooks are received: its name, its vendor's format, its secret."""

    system: str  # the system's name: its source links, event ids and events' source
    format: WebhookFormat
    secret: SecretStr | None  # None: not configured (the endpoint answers 404)
    client_id: str | None = None  # SurveyMonkey's app client id, part of its signing key


def webhook_sources(
    settings: Settings, systems: Mapping[str, ConnectorSettings], environ: Mapping[str, str]
) -> dict[str, WebhookSource]:
    """Every system whose webhooks may be received, by name; secrets read from `environ`.

    Raises `ConnectorConfigError` when a `webhook` table names a variable that is unset."""
    sources = {
        "hubspot": WebhookSource("hubspot", "hubspot", settings.hubspot_webhook_secret),
        "surveymonkey": WebhookSource(
            "surveymonkey",
            "surveymonkey",
            settings.surveymonkey_webhook_secret,
            settings.surveymonkey_webhook_client_id,
        ),
        "zendesk": WebhookSource("zendesk", "zendesk", settings.zendesk_webhook_secret),
    }
    for name, system in systems.items():
        webhook = system.webhook
        if webhook is None:
            continue
        value = environ.get(webhook.secret_env, "")
        if not value.strip():
            raise ConnectorConfigError(
                f"{name}: environment variable {webhook.secret_env} is not set"
            )
        sources[name] = WebhookSource(name, webhook.format, SecretStr(value), webhook.client_id)
    return sources
