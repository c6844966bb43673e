"""All configuration, read once from the environment (prefix `C360_`) and validated at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_HS256_SECRET_BYTES = 32
MIN_PEPPER_BYTES = 32
# Good enough for development and tests only: refused in production.
PLACEHOLDER_SUPPRESSION_PEPPER = "development-only-suppression-pepper-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """The gateway's settings; every field can be set as `C360_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="C360_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./c360.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, description="PostgreSQL: longer to open a connection is an outage."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8360, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    demo_customers: int = Field(default=5000, ge=0)
    # Where `c360 demo` (and `c360 sim` without --port) runs each source simulator.
    demo_odoo_port: int = Field(default=8701, ge=1, le=65535)
    demo_hubspot_port: int = Field(default=8702, ge=1, le=65535)
    demo_surveymonkey_port: int = Field(default=8703, ge=1, le=65535)
    demo_zendesk_port: int = Field(default=8704, ge=1, le=65535)
    seed: int = 360
    default_phone_region: str = Field(default="GB", min_length=2, max_length=2)
    connectors_file: Path | None = None
    cache_url: str | None = Field(
        default=None, description="redis:// URL of a shared source-data cache; unset: in-process."
    )
    cache_max_entries: int = Field(
        default=50_000, ge=1, description="Bound of the in-process source-data cache."
    )

    cors_allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the gateway (CORS); none by default.",
    )

    # Request limits (RELIABILITY.md defaults).
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=15, ge=1)
    max_tokens: int = Field(default=2000, ge=10)
    max_selections: int = Field(
        default=300,
        ge=1,
        description="Fields, fragment spreads and inline fragments of one operation, fragments "
        "counted once per spread; checked before validation.",
    )
    max_page_size: int = Field(default=100, ge=1)
    default_page_size: int = Field(default=20, ge=1)
    stale_contact_days: int = Field(
        default=365,
        ge=1,
        description="Contact data neither verified nor changed for this many days is stale.",
    )
    max_query_cost: int = Field(
        default=5000,
        ge=1,
        description="Estimated cost budget of one operation (page sizes x fields).",
    )
    max_batch_operations: int = Field(default=0, ge=0, description="0 turns batching off.")
    request_timeout_seconds: float = Field(
        default=10.0, gt=0, description="From arrival: a request still running is cancelled."
    )
    # Admission control (app/web/admission.py), per worker process.
    max_in_flight: int = Field(
        default=8, ge=1, description="Requests served at once; more wait in the queue."
    )
    admission_queue_size: int = Field(
        default=16, ge=0, description="Requests waiting for a slot; past it, 503 OVERLOADED."
    )
    admission_queue_wait_seconds: float = Field(
        default=0.25, ge=0, description="Longest wait for a slot before 503 OVERLOADED."
    )
    persisted_operations_only: bool = Field(
        default=False, description="Run only operations registered with `c360 operations register`."
    )

    # Authentication (app/privacy): API keys and JWT bearer tokens. Secrets are SecretStr:
    # never logged, never printed.
    api_key_cache_ttl_seconds: float = Field(
        default=30.0, ge=0, description="How long an authenticated API key is trusted in-process."
    )
    jwt_hs256_secret: SecretStr | None = None
    jwt_jwks_file: Path | None = None
    jwt_jwks_url: str | None = Field(
        default=None, description="Fetch RS256 keys from this JWKS URL (instead of a file)."
    )
    jwt_jwks_cache_ttl_seconds: float = Field(default=300.0, gt=0)
    jwt_jwks_min_refetch_seconds: float = Field(
        default=30.0, ge=0, description="At most one JWKS fetch this often (unknown kid, errors)."
    )
    jwt_jwks_timeout_seconds: float = Field(default=3.0, gt=0)
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: float = Field(default=30.0, ge=0, description="Allowed clock skew.")
    jwt_role_claim: str = "role"
    jwt_purpose_claim: str = "purpose"
    jwt_customer_claim: str = "customer_id"

    # Erasure: identifiers of erased people are kept only as HMAC-SHA256 digests under this key.
    suppression_pepper: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SUPPRESSION_PEPPER),
        description="Key of the suppression list's keyed hashes (at least 32 bytes).",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_pepper(self) -> Settings:
        pepper = self.suppression_pepper.get_secret_value()
        if len(pepper.encode()) < MIN_PEPPER_BYTES:
            raise ValueError(
                f"C360_SUPPRESSION_PEPPER must be at least {MIN_PEPPER_BYTES} bytes long"
            )
        if self.is_production and pepper == PLACEHOLDER_SUPPRESSION_PEPPER:
            raise ValueError("C360_SUPPRESSION_PEPPER must be set to a secret in production")
        return self

    # Identity resolution (app/identity): linking incoming records into the master store.
    match_auto_link: float = Field(
        default=0.9, ge=0, le=1, description="Match score from which a record joins a customer."
    )
    match_review: float = Field(
        default=0.3, ge=0, le=1, description="Match score from which a pair goes to review."
    )
    match_max_cluster_size: int = Field(
        default=10, ge=2, description="Source identities a customer may gather by auto-linking."
    )
    survivorship_priority: list[str] = Field(
        default=["gateway", "odoo", "hubspot", "surveymonkey"],
        description="Systems whose values win the golden record, strongest first.",
    )
    survivorship_field_priority: dict[str, list[str]] = Field(
        default_factory=dict, description="Per golden field, a priority replacing the default."
    )

    @model_validator(mode="after")
    def _one_jwks_source(self) -> Settings:
        url = self.jwt_jwks_url
        if url is not None and self.jwt_jwks_file is not None:
            raise ValueError("set C360_JWT_JWKS_FILE or C360_JWT_JWKS_URL, not both")
        if url is not None and not url.startswith(("https://", "http://")):
            raise ValueError("C360_JWT_JWKS_URL must be an http(s) URL")
        if url is not None and self.is_production and not url.startswith("https://"):
            raise ValueError("C360_JWT_JWKS_URL must use https in production")
        return self

    # Metrics (app/metrics): the reporting currency and the rates into it (units of the
    # reporting currency per unit of the order's); orders in other currencies are left out.
    metrics_currency: str = Field(default="EUR", min_length=3, max_length=3)
    metrics_fx_rates: dict[str, float] = Field(
        default_factory=lambda: {"GBP": 1.15, "USD": 0.92},
        description="Approximate reference rates; set real ones for reporting.",
    )

    # Webhooks (app/webhooks): unset secrets turn an endpoint off (404).
    surveymonkey_webhook_client_id: str | None = Field(
        default=None, description="The SurveyMonkey app's client id (API key), sent as Sm-Apikey."
    )
    surveymonkey_webhook_secret: SecretStr | None = Field(
        default=None, description="The SurveyMonkey app's client secret: Sm-Signature's key."
    )
    hubspot_webhook_secret: SecretStr | None = Field(
        default=None, description="The HubSpot app's client secret: X-HubSpot-Signature-v3's key."
    )
    zendesk_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The Zendesk webhook's signing secret: X-Zendesk-Webhook-Signature's key.",
    )
    webhook_max_age_seconds: float = Field(
        default=300.0, gt=0, description="Older HubSpot and Zendesk request timestamps are refused."
    )
    webhook_public_url: str | None = Field(
        default=None,
        description="The gateway's public base URL as senders call it (HubSpot signs the URL).",
    )
    sim_webhook_url: str | None = Field(
        default=None, description="Where `c360 sim` sends webhooks: the gateway's base URL."
    )

    # Live updates (app/events): subscriptions over WebSocket.
    events_redis_url: str | None = Field(
        default=None,
        description="redis:// URL that wakes every worker's event dispatcher; unset: C360_CACHE_URL"
        " if it names Redis, else each worker finds new events by polling.",
    )
    events_poll_seconds: float = Field(
        default=1.0, gt=0, description="Longest wait before a dispatcher reads the outbox."
    )
    subscriptions_per_connection: int = Field(
        default=10, ge=1, description="Operations one WebSocket connection may subscribe at once."
    )
    subscription_queue_size: int = Field(
        default=1000, ge=1, description="Events a slow subscriber may lag before it is ended."
    )
    ws_connection_init_timeout_seconds: float = Field(
        default=5.0, gt=0, description="A socket that does not authenticate within this is closed."
    )
    ws_keep_alive_seconds: float = Field(
        default=15.0, gt=0, description="Interval of the server's pings on a WebSocket."
    )
    # Outbound webhooks (app/events/webhook_delivery.py).
    outbound_webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long one delivery attempt waits for the receiver."
    )
    outbound_webhook_first_retry_seconds: float = Field(
        default=1.0, gt=0, description="Delay before the first retry; it doubles each time."
    )
    outbound_webhook_max_retry_seconds: float = Field(
        default=600.0, gt=0, description="Longest delay between two attempts."
    )
    outbound_webhook_retry_window_seconds: float = Field(
        default=86_400.0, gt=0, description="Retries stop this long after the first attempt."
    )
    outbox_retention_days: float = Field(
        default=7.0,
        gt=0,
        description="Change events older than this are deleted from the outbox, unless an "
        "enabled webhook endpoint has not received them yet.",
    )
    outbox_first_prune_seconds: float = Field(
        default=60.0,
        ge=0,
        description="A serving process prunes the outbox this long after it starts, then hourly.",
    )
    outbound_webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a process holds a delivery it claimed: after a crash, another "
        "sends it again once this has passed. Longer than the timeout.",
    )

    @model_validator(mode="after")
    def _lease_outlasts_an_attempt(self) -> Settings:
        # A lease that ran out while its attempt still waited would let a second process send
        # the same delivery at the same time.
        if self.outbound_webhook_lease_seconds <= self.outbound_webhook_timeout_seconds:
            raise ValueError(
                "C360_OUTBOUND_WEBHOOK_LEASE_SECONDS must exceed "
                "C360_OUTBOUND_WEBHOOK_TIMEOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _refuse_short_jwt_secret(self) -> Settings:
        secret = self.jwt_hs256_secret
        # RFC 7518 3.2: an HS256 key must be at least as long as the hash output (32 bytes).
        if secret is not None and len(secret.get_secret_value().encode()) < MIN_HS256_SECRET_BYTES:
            raise ValueError(
                f"C360_JWT_HS256_SECRET must be at least {MIN_HS256_SECRET_BYTES} bytes long"
            )
        return self

    @model_validator(mode="after")
    def _ordered_match_thresholds(self) -> Settings:
        if self.match_review > self.match_auto_link:
            raise ValueError("C360_MATCH_REVIEW must not exceed C360_MATCH_AUTO_LINK")
        return self

    def connector_secrets(self) -> Mapping[str, str]:
        """Where connector tokens live: the environment, read only when connectors are built."""
        return os.environ

    @property
    def demo_simulator_ports(self) -> dict[str, int]:
        """The port of each source simulator of the demo, by system."""
        return {
            system: getattr(self, f"demo_{system}_port")
            for system in ("odoo", "hubspot", "surveymonkey", "zendesk")
        }

    @property
    def events_wake_url(self) -> str | None:
        """The Redis URL whose pub/sub wakes every worker's dispatcher, if any."""
        if self.events_redis_url:
            return self.events_redis_url
        if self.cache_url and self.cache_url.startswith(("redis://", "rediss://", "unix://")):
            return self.cache_url
        return None

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


def describe_invalid_settings(error: ValidationError) -> str:
    """One line naming each setting at fault (never its value: it may be a secret)."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        location = item["loc"]
        # A field's own error names the field; a cross-field check names its settings itself.
        problems.append(f"C360_{str(location[0]).upper()}: {message}" if location else message)
    return "invalid configuration: " + "; ".join(problems)
