"""The demo's connectors: the simulators' ports, tokens and connectors file contents.

The tokens are the simulators' own, public demo values (never a real system's secret); the
gateway reads them from the environment variables named here, as it reads any token.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import connectors
from app.settings import Settings
from connectors.registry import ConnectorsConfig
from simulators.surveys import SURVEYS, question_ids

DEMO_TOKENS: dict[str, str] = {
    "odoo": "demo-odoo-api-key",
    "hubspot": "pat-demo-hubspot-token",
    "surveymonkey": "demo-surveymonkey-token",
    "zendesk": "demo-zendesk-api-token",
}
DEMO_TOKEN_ENVS: dict[str, str] = {
    "odoo": "C360_ODOO_API_KEY",
    "hubspot": "C360_HUBSPOT_TOKEN",
    "surveymonkey": "C360_SURVEYMONKEY_TOKEN",
    "zendesk": "C360_ZENDESK_TOKEN",
}
# The Zendesk simulator's API-token user (any "{email}/token" passes with the demo token).
ZENDESK_DEMO_USER = "agent@c360.example/token"
ZENDESK_EXAMPLE = Path(connectors.__file__).parent / "zendesk.example.toml"


def demo_environment() -> dict[str, str]:
    """The environment variables that carry the simulators' demo tokens."""
    return {DEMO_TOKEN_ENVS[system]: token for system, token in DEMO_TOKENS.items()}


def demo_config(
    ports: Mapping[str, int] | None = None, *, host: str = "127.0.0.1"
) -> ConnectorsConfig:
    """Connectors for the local simulators (`c360 sim <system> --port N`), demo tokens by env."""
    ports = {**Settings().demo_simulator_ports, **(ports or {})}
    mappings: dict[str, dict[str, Any]] = {
        "odoo": {"database": "c360", "login": "api@c360.example"},
        "hubspot": {},
        "surveymonkey": {
            "survey_ids": [survey.survey_id for survey in SURVEYS],
            "nps_question_ids": list(question_ids("nps")),
            "csat_question_ids": list(question_ids("csat")),
            "ces_question_ids": list(question_ids("ces")),
            "comment_question_ids": [survey.comment_question_id for survey in SURVEYS],
        },
    }
    tables: dict[str, Any] = {
        system: {
            "base_url": f"http://{host}:{ports[system]}",
            "token_env": DEMO_TOKEN_ENVS[system],
            "mapping": mapping,
        }
        for system, mapping in mappings.items()
    }
    # The support desk is described by configuration only, like a user's own system.
    tables["zendesk"] = zendesk_table(ports["zendesk"], host)
    return ConnectorsConfig.model_validate({"connectors": tables})


def zendesk_table(port: int, host: str = "127.0.0.1") -> dict[str, Any]:
    """The `[connectors.zendesk]` table for the Zendesk simulator on `port`.

    It is the description real users copy (`connectors/zendesk.example.toml`), pointed at the
    simulator with the demo's token variable and user, and with a rate limit that does not
    throttle a benchmark (the simulator's own limits are set by its `FaultSettings`).
    """
    example = tomllib.loads(ZENDESK_EXAMPLE.read_text(encoding="utf-8"))
    table: dict[str, Any] = example["connectors"]["zendesk"]
    table["base_url"] = f"http://{host}:{port}"
    table["token_env"] = DEMO_TOKEN_ENVS["zendesk"]
    table["mapping"]["auth"] = {"type": "basic", "username": ZENDESK_DEMO_USER}
    table["mapping"]["rate_limit"] = {"requests": 1000, "per": "second", "burst": 200}
    return table
