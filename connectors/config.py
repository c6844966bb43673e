"""Connector configuration: a TOML file validated with pydantic; secrets only by env-var name.

The file has one `[connectors.<system>]` table per connected system (see
`connectors.example.toml`). The table's name is the system's name in the gateway (source links,
`sources`, errors, metrics); its `type` says which connector talks to it (`odoo`, `hubspot`,
`surveymonkey`; by default the table's name), so two systems of one type (two HubSpot portals,
say) are two tables. A table names the environment variable that holds its token
(`token_env`), never the token: a `token` key is rejected. `resolve_token` reads the variable
from the mapping it is given. A system that sends webhooks has a `webhook` table naming its
signing secret's variable the same way (`secret_env`), so each portal has its own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.declarative.config import RestDescription
from connectors.records import ConnectorKind

SystemType = Literal["odoo", "hubspot", "surveymonkey", "rest"]
# What kind of system each type of connector talks to.
TYPE_KINDS: dict[str, ConnectorKind] = {
    "odoo": ConnectorKind.ERP,
    "hubspot": ConnectorKind.CRM,
    "surveymonkey": ConnectorKind.SURVEY,
    "rest": ConnectorKind.CRM,  # a system described in the file serves CRM records
}


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


class OdooMapping(_Strict):
    """Odoo specifics: database, API user, and which payment terms mean "prepay"."""

    system: Literal["odoo"] = "odoo"
    database: str
    login: str
    uid: int | None = None  # skip `authenticate` when known
    prepay_terms: tuple[str, ...] = ("Immediate Payment",)
    page_size: Annotated[int, Field(ge=1, le=1000)] = 200


class HubSpotMapping(_Strict):
    """HubSpot specifics: batch size (the API allows at most 100 inputs) and extra properties."""

    system: Literal["hubspot"] = "hubspot"
    batch_size: Annotated[int, Field(ge=1, le=100)] = 100
    extra_contact_properties: tuple[str, ...] = ()


class SurveyMonkeyMapping(_Strict):
    """Which surveys to read and which question ids are NPS (0-10), CSAT (1-5), CES (1-7)."""

    system: Literal["surveymonkey"] = "surveymonkey"
    survey_ids: tuple[str, ...] = ()
    nps_question_ids: tuple[str, ...] = ()
    csat_question_ids: tuple[str, ...] = ()
    ces_question_ids: tuple[str, ...] = ()
    comment_question_ids: tuple[str, ...] = ()
    customer_id_variable: str = "c360_id"
    page_size: Annotated[int, Field(ge=1, le=100)] = 100


WebhookFormat = Literal["hubspot", "surveymonkey", "zendesk"]
# The webhook format each type of system sends by default; a described (`rest`) system names
# its own, as no connector code reads it back (Zendesk's ticket events name their requester).
TYPE_WEBHOOKS: dict[str, WebhookFormat] = {"hubspot": "hubspot", "surveymonkey": "surveymonkey"}
REST_WEBHOOKS: frozenset[WebhookFormat] = frozenset({"zendesk"})


class WebhookSettings(_Strict):
    """The system's webhooks, received at `/webhooks/<system name>`: their wire format (by
    default its type's) and the variable holding their signing secret (never the secret).
    SurveyMonkey also signs with the app's client id, which is no secret."""

    format: WebhookFormat | None = None
    secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    client_id: str | None = None


Mapping_ = Annotated[
    OdooMapping | HubSpotMapping | SurveyMonkeyMapping | RestDescription,
    Field(discriminator="system"),
]


class ConnectorSettings(_Strict):
    """Everything about one source system.

    A table's name is the system's name; its `type` picks the connector (by default the
    name). A `rest` table describes its system in `mapping` (`connectors.declarative`).
    """

    system: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    type: SystemType
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
    mapping: Mapping_

    @model_validator(mode="before")
    @classmethod
    def _fill_system_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            system_type = data.setdefault("type", data.get("system"))
            if system_type not in TYPE_KINDS:
                raise ValueError(
                    f"unknown type {system_type!r}: name a coded type"
                    f" ({', '.join(t for t in TYPE_KINDS if t != 'rest')}) or describe the"
                    ' system with type = "rest"'
                )
            data.setdefault("kind", TYPE_KINDS[system_type])
            mapping = data.get("mapping") or {}
            if isinstance(mapping, dict):
                data["mapping"] = {**mapping, "system": system_type}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ConnectorSettings:
        if self.kind != TYPE_KINDS[self.type]:
            raise ValueError(f"a {self.type} system is a {TYPE_KINDS[self.type]} system")
        if self.mapping.system != self.type:
            raise ValueError(f"mapping is for {self.mapping.system}, not {self.type}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        if self.webhook is not None:
            self._check_webhook(self.webhook)
        return self

    def _check_webhook(self, webhook: WebhookSettings) -> None:
        own = TYPE_WEBHOOKS.get(self.type)
        if own is not None:
            allowed = {own}
        elif self.type == "rest":
            allowed = set(REST_WEBHOOKS)
        else:
            raise ValueError(f"a {self.type} system sends no webhooks the gateway reads")
        if webhook.format is None and own is None:
            formats = ", ".join(sorted(allowed))
            raise ValueError(f"webhook.format is needed for a {self.type} system ({formats})")
        if webhook.format is not None and webhook.format not in allowed:
            raise ValueError(f"a {self.type} system cannot send {webhook.format} webhooks")
        if (webhook.format or own) == "surveymonkey" and not webhook.client_id:
            raise ValueError("webhook.client_id is needed for SurveyMonkey's signatures")

    @property
    def webhook_format(self) -> WebhookFormat | None:
        """The format of the system's webhooks, if it has any configured."""
        if self.webhook is None:
            return None
        return self.webhook.format or TYPE_WEBHOOKS[self.type]


class ConnectorsConfig(_Strict):
    """All configured connectors, by system name."""

    connectors: dict[str, ConnectorSettings]

    @model_validator(mode="before")
    @classmethod
    def _system_from_table_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("connectors"), dict):
            tables = {}
            for name, table in data["connectors"].items():
                tables[name] = {"system": name, **table} if isinstance(table, dict) else table
            data = {**data, "connectors": tables}
        return data

    def enabled(self) -> dict[str, ConnectorSettings]:
        """The connectors that are switched on."""
        return {name: s for name, s in self.connectors.items() if s.enabled}


def parse_connectors_config(text: str) -> ConnectorsConfig:
    """Validate the TOML text of a connectors file."""
    try:
        return ConnectorsConfig.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConnectorConfigError(f"connectors file is not valid TOML: {exc}") from None
    except ValidationError as exc:
        raise ConnectorConfigError(f"connectors file is invalid: {exc}") from None


def load_connectors_config(path: str | Path) -> ConnectorsConfig:
    """Read and validate the connectors file at `path` (named by `C360_CONNECTORS_FILE`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConnectorConfigError(f"cannot read connectors file {path}: {exc}") from None
    return parse_connectors_config(text)


def resolve_token(settings: ConnectorSettings, environ: Mapping[str, str]) -> str:
    """The secret named by `settings.token_env`, or a clear error if it is unset or empty."""
    value = environ.get(settings.token_env, "")
    if not value.strip():
        raise ConnectorConfigError(
            f"{settings.system}: environment variable {settings.token_env} is not set"
        )
    return value
