"""The one registry of source system types, the connectors file read against it, and building.

Each type is described once, in its own package (`connectors.system_type.SystemType`); adding a
coded system means writing its package and adding its description to `REGISTERED` below. A
system described in the connectors file needs no code at all (type `rest`). A table of the file
is valid when its `type` is registered, its `kind` is the type's and its `mapping` is valid for
the type's model; a bad one is refused at start-up with a message naming the key path.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from connectors.base import Connector
from connectors.config import ConnectorConfigError, ConnectorSettings
from connectors.declarative import REST
from connectors.hubspot import HUBSPOT
from connectors.odoo import ODOO
from connectors.records import SourceKind
from connectors.surveymonkey import SURVEYMONKEY
from connectors.system_type import SystemType

REGISTERED: tuple[SystemType, ...] = (ODOO, HUBSPOT, SURVEYMONKEY, REST)
# `type` in the connectors file -> its description.
CONNECTOR_TYPES: dict[str, SystemType] = {t.name: t for t in REGISTERED}


def kinds_of_type(system_type: str) -> tuple[SourceKind, ...]:
    """The kinds of data a system of `system_type` serves, lightest first (none if unknown)."""
    described = CONNECTOR_TYPES.get(system_type)
    return described.serves if described is not None else ()


def _problems(exc: ValidationError, prefix: str = "") -> list[str]:
    """`key.path: message (given value)` for each error; an unknown key's value is never shown
    (it may be a secret pasted in the file, as `token = "..."`)."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        message = error["msg"].removeprefix("Value error, ")
        given = error.get("input")
        if isinstance(given, str | int | float) and error["type"] != "extra_forbidden":
            message = f"{message} (given {given!r})"
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _typed_table(name: str, table: dict[str, Any]) -> dict[str, Any]:
    """The table with its type's defaults and its `mapping` validated by the type's model."""
    table = {"system": name, **table}
    type_name = table.setdefault("type", name)
    described = CONNECTOR_TYPES.get(type_name) if isinstance(type_name, str) else None
    if described is None:
        raise ValueError(
            f"connectors.{name}.type: unknown type {type_name!r}: name a registered type"
            f" ({', '.join(CONNECTOR_TYPES)}); a REST/JSON system can be described in the"
            f' file with type = "{REST.name}"'
        )
    if table.setdefault("kind", described.kind) != described.kind:
        raise ValueError(
            f"connectors.{name}.kind: a {type_name} system is a {described.kind} system"
        )
    try:
        table["mapping"] = described.mapping.model_validate(table.get("mapping", {}))
    except ValidationError as exc:
        raise ValueError("; ".join(_problems(exc, f"connectors.{name}.mapping"))) from None
    if isinstance(table.get("webhook"), dict):
        table["webhook"] = _typed_webhook(name, described, table["webhook"])
    return table


def _typed_webhook(name: str, described: SystemType, webhook: dict[str, Any]) -> dict[str, Any]:
    """The `webhook` table with its format: the type's, or one the type lets the table name."""
    where = f"connectors.{name}.webhook"
    if not described.webhooks:
        raise ValueError(f"{where}: a {described.name} system sends no webhooks the gateway reads")
    given = webhook.get("format")
    if given is None:
        if described.webhook_named:
            formats = ", ".join(described.webhooks)
            raise ValueError(f"{where}.format is needed for a {described.name} system ({formats})")
        return {**webhook, "format": described.webhooks[0]}
    if given not in described.webhooks:
        raise ValueError(f"{where}.format: a {described.name} system cannot send {given} webhooks")
    return webhook


class ConnectorsConfig(BaseModel):
    """All configured connectors, by system name, each table valid for its registered type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connectors: dict[str, ConnectorSettings]

    @model_validator(mode="before")
    @classmethod
    def _tables_of_registered_types(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("connectors"), dict):
            tables: dict[str, Any] = {}
            problems: list[str] = []
            for name, table in data["connectors"].items():
                try:
                    tables[name] = _typed_table(name, table) if isinstance(table, dict) else table
                except ValueError as exc:
                    problems.append(str(exc))
            if problems:
                raise ValueError("; ".join(problems))
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
        problems = "; ".join(_problems(exc))
        raise ConnectorConfigError(f"connectors file is invalid: {problems}") from None


def load_connectors_config(path: str | Path) -> ConnectorsConfig:
    """Read and validate the connectors file at `path` (named by `C360_CONNECTORS_FILE`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConnectorConfigError(f"cannot read connectors file {path}: {exc}") from None
    return parse_connectors_config(text)


def build_connector(
    settings: ConnectorSettings,
    *,
    environ: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connector:
    """One connector from its settings; `transport` replaces the network (tests, simulators)."""
    described = CONNECTOR_TYPES[settings.type]
    return described.connector.from_settings(
        described, settings, environ=environ, transport=transport
    )


def build_connectors(
    config: ConnectorsConfig,
    *,
    environ: Mapping[str, str],
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> dict[str, Connector]:
    """Every enabled connector by system name. Close each with `aclose()` at shutdown."""
    transports = transports or {}
    return {
        name: build_connector(settings, environ=environ, transport=transports.get(name))
        for name, settings in config.enabled().items()
    }
