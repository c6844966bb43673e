"""Connector configuration: TOML validated, secrets only by environment-variable name."""

from __future__ import annotations

from pathlib import Path

import pytest

import connectors
from connectors.config import ConnectorConfigError, resolve_token
from connectors.records import ConnectorKind
from connectors.registry import load_connectors_config, parse_connectors_config
from simulators.config import ZENDESK_EXAMPLE, demo_config, demo_environment

EXAMPLE = Path(connectors.__file__).parent / "connectors.example.toml"


def test_example_file_is_valid() -> None:
    config = load_connectors_config(EXAMPLE)
    assert set(config.connectors) == {"odoo", "hubspot", "surveymonkey"}
    assert config.connectors["hubspot"].kind is ConnectorKind.CRM
    assert config.connectors["surveymonkey"].mapping.nps_question_ids == ("620000001",)


def test_a_secret_in_the_file_is_rejected() -> None:
    text = EXAMPLE.read_text().replace(
        'token_env = "C360_HUBSPOT_TOKEN"', 'token_env = "C360_HUBSPOT_TOKEN"\ntoken = "pat-123"'
    )
    with pytest.raises(ConnectorConfigError, match="connectors.hubspot.token") as caught:
        parse_connectors_config(text)
    assert "pat-123" not in str(caught.value)  # the refused secret is not repeated


@pytest.mark.parametrize(
    "bad",
    [
        '[connectors.hubspot]\nbase_url = "ftp://x"\ntoken_env = "T"\n',
        '[connectors.hubspot]\nbase_url = "http://x"\ntoken_env = "T"\nkind = "erp"\n',
        '[connectors.hubspot]\nbase_url = "http://x"\ntoken_env = "T"\n'
        "[connectors.hubspot.mapping]\nbatch_size = 500\n",
        '[connectors.crm]\nbase_url = "http://x"\ntoken_env = "T"\n',
        "not toml [",
    ],
)
def test_invalid_files_give_a_clear_error(bad: str) -> None:
    with pytest.raises(ConnectorConfigError):
        parse_connectors_config(bad)


def test_tokens_come_from_the_named_environment_variable() -> None:
    settings = demo_config().connectors["odoo"]
    assert resolve_token(settings, demo_environment()) == "demo-odoo-api-key"
    with pytest.raises(ConnectorConfigError, match="C360_ODOO_API_KEY"):
        resolve_token(settings, {})


def test_demo_config_points_at_the_given_ports() -> None:
    config = demo_config({"hubspot": 9999})
    assert config.connectors["hubspot"].base_url == "http://127.0.0.1:9999"
    assert config.connectors["odoo"].base_url == "http://127.0.0.1:8701"


HUBSPOT_EU = '[connectors.hubspot_eu]\ntype = "hubspot"\nbase_url = "http://x"\ntoken_env = "T"\n'
DESK = ZENDESK_EXAMPLE.read_text()  # a described (`rest`) system


def test_a_system_names_the_variable_of_its_webhook_secret() -> None:
    text = f'{HUBSPOT_EU}[connectors.hubspot_eu.webhook]\nsecret_env = "C360_EU_HOOK"\n'
    eu = parse_connectors_config(text).connectors["hubspot_eu"]
    assert eu.webhook is not None
    assert (eu.webhook.format, eu.webhook.secret_env) == ("hubspot", "C360_EU_HOOK")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (f'{HUBSPOT_EU}[connectors.hubspot_eu.webhook]\nsecret = "s3cret"\n', "secret"),
        (
            f'{HUBSPOT_EU}[connectors.hubspot_eu.webhook]\nsecret_env = "S"\nformat = "zendesk"\n',
            "cannot send zendesk webhooks",
        ),
        (f'{DESK}[connectors.zendesk.webhook]\nsecret_env = "S"\n', "webhook.format is needed"),
        (
            '[connectors.odoo]\nbase_url = "http://x"\ntoken_env = "T"\n'
            '[connectors.odoo.mapping]\ndatabase = "d"\nlogin = "l"\n'
            '[connectors.odoo.webhook]\nsecret_env = "S"\n',
            "sends no webhooks",
        ),
        (
            '[connectors.surveymonkey]\nbase_url = "http://x"\ntoken_env = "T"\n'
            '[connectors.surveymonkey.webhook]\nsecret_env = "S"\n',
            "client_id",
        ),
    ],
)
def test_a_webhook_the_gateway_cannot_read_is_refused(bad: str, reason: str) -> None:
    with pytest.raises(ConnectorConfigError, match=reason):
        parse_connectors_config(bad)


def test_a_described_system_receives_zendesk_webhooks() -> None:
    text = f'{DESK}[connectors.zendesk.webhook]\nsecret_env = "S"\nformat = "zendesk"\n'
    webhook = parse_connectors_config(text).connectors["zendesk"].webhook
    assert webhook is not None
    assert webhook.format == "zendesk"
