"""The settings of one connected source system, whatever its type: no system is named here.

A connectors file (`connectors.example.toml`) has one `[connectors.<system>]` table per connected
system; `connectors.registry` validates each table against its registered type (the type's
`mapping` model and kind). The table's name is the system's name in the gateway (source links,
`sources`, errors, metrics); its `type` says which connector talks to it (by default the
table's name), so two systems of one type (two HubSpot portals, say) are two tables. A table
names the environment variable that holds its token (`token_env`), never the token: a `token`
key is rejected. `resolve_token` reads the variable from the mapping it is given. A system that
sends webhooks has a `webhook` table naming its signing secret's variable the same way
(`secret_env`), so each portal has its own; its format is its type's (`SystemType.webhook`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_validator,
    model_validator,
)

from connectors.records import ConnectorKind


class ConnectorConfigError(ValueError):
    """The connectors file is missing, malformed, invalid, or names an unset secret."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Seconds = Annotated[float, Field(gt=0)]


class TimeoutSettings(_Strict):
    """Per-attempt connect/read timeouts and the overall budget of one call, retries included."""

    connect: Seconds = 1.0
    read: Seconds = 2.0
    budget: Seconds = 3.0

    @model_validator(mode="after")
    def _budget_covers_an_attempt(self) -> TimeoutSettings:
        if self.budget < self.connect:
            raise ValueError("timeouts.budget must be at least timeouts.connect")
        return self


class RetrySettings(_Strict):
    """Exponential backoff with jitter for idempotent calls (connection errors, 5xx, 429)."""

    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    wait_initial: Annotated[float, Field(ge=0)] = 0.05
    wait_max: Annotated[float, Field(ge=0)] = 1.0
    wait_jitter: Annotated[float, Field(ge=0)] = 0.05


class CircuitSettings(_Strict):
    """Open after `failure_threshold` consecutive failed calls; probe again after `cooldown`."""

    failure_threshold: Annotated[int, Field(ge=1)] = 5
    cooldown: Seconds = 10.0


class CacheSettings(_Strict):
    """How long the gateway may reuse an answer, and serve it stale while the source fails."""

    ttl: Annotated[float, Field(ge=0)] = 60.0
    stale_if_error: Annotated[float, Field(ge=0)] = 600.0


class MappingSettings(_Strict):
    """Base of every type's `mapping` table: what only that type of system needs."""


# The vendors' webhook formats the gateway reads (`app.webhooks`).
WebhookFormat = Literal["hubspot", "surveymonkey", "zendesk"]


class WebhookSettings(_Strict):
    """The system's webhooks, received at `/webhooks/<system name>`: their wire format (its
    type's unless the type lets the table name one) and the variable holding their signing
    secret (never the secret). SurveyMonkey also signs with the app's client id, no secret."""

    format: WebhookFormat
    secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    client_id: str | None = None

    @model_validator(mode="after")
    def _surveymonkey_has_its_client_id(self) -> WebhookSettings:
        if self.format == "surveymonkey" and not self.client_id:
            raise ValueError("webhook.client_id is needed for SurveyMonkey's signatures")
        return self


class ConnectorSettings(_Strict):
    """Everything about one source system.

    A table's name is the system's name; its `type` picks the connector (by default the
    name); `mapping` holds the settings of that type (`connectors.registry` validates a table
    against its type: a `rest` table describes its system there, `connectors.declarative`).
    """

    system: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    type: str
    kind: ConnectorKind
    enabled: bool = True
    base_url: str
    token_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    max_concurrency: Annotated[int, Field(ge=1, le=1000)] = 10
    timeouts: TimeoutSettings = TimeoutSettings()
    retries: RetrySettings = RetrySettings()
    circuit: CircuitSettings = CircuitSettings()
    cache: CacheSettings = CacheSettings()
    webhook: WebhookSettings | None = None
    mapping: SerializeAsAny[MappingSettings]

    @field_validator("mapping", mode="before")
    @classmethod
    def _of_a_type(cls, value: Any) -> Any:
        if not isinstance(value, MappingSettings) or type(value) is MappingSettings:
            raise ValueError("validate the table against its type (connectors.registry)")
        return value

    @model_validator(mode="after")
    def _http_url(self) -> ConnectorSettings:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        return self


def resolve_token(settings: ConnectorSettings, environ: Mapping[str, str]) -> str:
    """The secret named by `settings.token_env`, or a clear error if it is unset or empty."""
    value = environ.get(settings.token_env, "")
    if not value.strip():
        raise ConnectorConfigError(
            f"{settings.system}: environment variable {settings.token_env} is not set"
        )
    return value
