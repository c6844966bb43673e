"""The demo's connectors: the three simulators' ports, tokens and connectors file contents.

The tokens are the simulators' own, public demo values (never a real system's secret); the
gateway reads them from the environment variables named here, as it reads any token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.settings import Settings
from connectors.config import ConnectorsConfig
from simulators.surveys import SURVEYS, question_ids

DEMO_TOKENS: dict[str, str] = {
    "odoo": "demo-odoo-api-key",
    "hubspot": "pat-demo-hubspot-token",
    "surveymonkey": "demo-surveymonkey-token",
}
DEMO_TOKEN_ENVS: dict[str, str] = {
    "odoo": "C360_ODOO_API_KEY",
    "hubspot": "C360_HUBSPOT_TOKEN",
    "surveymonkey": "C360_SURVEYMONKEY_TOKEN",
}


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
    tables = {
        system: {
            "base_url": f"http://{host}:{ports[system]}",
            "token_env": DEMO_TOKEN_ENVS[system],
            "mapping": mappings[system],
        }
        for system in DEMO_TOKEN_ENVS
    }
    return ConnectorsConfig.model_validate({"connectors": tables})
