"""Declarative systems: what a rest table may say, the errors a bad one gets at start-up, and
the mechanisms no Zendesk endpoint exercises (offset, page and `Link` paging, API-key and
OAuth 2 client-credentials auth), driven through small in-test APIs."""

from __future__ import annotations

import base64
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import connectors.declarative.auth
from connectors.config import ConnectorConfigError
from connectors.config_toml import dump_connectors_config
from connectors.declarative.config import RestDescription
from connectors.declarative.connector import DeclarativeConnector
from connectors.errors import BadResponseError, UnauthorizedError
from connectors.records import Capability, ConnectorKind
from connectors.registry import (
    ConnectorsConfig,
    build_connector,
    build_connectors,
    load_connectors_config,
    parse_connectors_config,
)
from simulators.config import ZENDESK_EXAMPLE, zendesk_table
from tests.manual_clock import ManualClock

MINIMAL = """
[connectors.helpdesk]
type = "rest"
base_url = "https://desk.example"
token_env = "HELPDESK_TOKEN"

[connectors.helpdesk.mapping.health]
path = "/me"

[connectors.helpdesk.mapping.tickets]
path = "/people/{id}/tickets"
items = "data"

[connectors.helpdesk.mapping.tickets.fields]
external_id = "id"
subject = "title"
"""


def settings_of(text: str, name: str = "helpdesk") -> Any:
    return parse_connectors_config(text).connectors[name]


# ---- what a valid file gives ----


def test_a_rest_table_may_have_any_name_and_serves_crm_records() -> None:
    settings = settings_of(MINIMAL)
    assert settings.system == "helpdesk"
    assert settings.type == "rest"
    assert settings.kind is ConnectorKind.CRM
    assert isinstance(settings.mapping, RestDescription)
    assert set(settings.mapping.kinds()) == {"tickets"}
    connector = build_connector(settings, environ={"HELPDESK_TOKEN": "t"})
    assert isinstance(connector, DeclarativeConnector)
    assert connector.capabilities == {Capability.TICKETS}


def test_the_zendesk_example_loads_and_the_demo_uses_the_same_description() -> None:
    example = load_connectors_config(ZENDESK_EXAMPLE).connectors["zendesk"]
    demo = ConnectorsConfig.model_validate({"connectors": {"zendesk": zendesk_table(8704)}})
    demo_zendesk = demo.connectors["zendesk"]
    assert demo_zendesk.base_url == "http://127.0.0.1:8704"

    def endpoints(settings: Any) -> dict[str, Any]:
        return settings.mapping.model_dump(mode="json", exclude={"auth", "rate_limit"})

    assert endpoints(demo_zendesk) == endpoints(example)


def test_a_rest_table_round_trips_through_the_toml_writer() -> None:
    config = ConnectorsConfig.model_validate({"connectors": {"zendesk": zendesk_table(8704)}})
    again = parse_connectors_config(dump_connectors_config(config))
    assert again == config


def test_build_connectors_mixes_coded_and_described_systems() -> None:
    text = MINIMAL + '[connectors.hubspot]\nbase_url = "http://h"\ntoken_env = "HUBSPOT"\n'
    built = build_connectors(
        parse_connectors_config(text), environ={"HELPDESK_TOKEN": "t", "HUBSPOT": "h"}
    )
    assert {name: c.system for name, c in built.items()} == {
        "helpdesk": "helpdesk",
        "hubspot": "hubspot",
    }


# ---- a bad file: a clear error naming the system and the key, at start-up ----

BAD_FILES = [
    pytest.param(
        MINIMAL.replace('items = "data"', 'items = "data"\npathh = "/x"'),
        ["helpdesk", "tickets", "pathh", "Extra inputs are not permitted"],
        id="unknown-key",
    ),
    pytest.param(
        MINIMAL.replace('subject = "title"', 'subject = "title["'),
        ["helpdesk", "tickets.fields.subject", "bad jmespath expression 'title['"],
        id="bad-jmespath",
    ),
    pytest.param(
        MINIMAL.replace('subject = "title"', 'subject = "upper(title)"'),
        ["helpdesk", "tickets.fields.subject", "unknown function upper()"],
        id="unknown-jmespath-function",
    ),
    pytest.param(
        MINIMAL.replace('subject = "title"\n', ""),
        ["helpdesk", "tickets.fields: required field subject is not mapped"],
        id="missing-required-field",
    ),
    pytest.param(
        MINIMAL + 'colour = "colour"\n',
        ["helpdesk", "tickets.fields.colour: no such field"],
        id="unknown-record-field",
    ),
    pytest.param(
        MINIMAL + 'created_at = { path = "opened", convert = "roman" }\n',
        ["helpdesk", "tickets.fields.created_at.convert", "roman"],
        id="unknown-conversion",
    ),
    pytest.param(
        MINIMAL + 'created_at = { path = "opened", convert = "bool" }\n',
        ["helpdesk", "tickets.fields.created_at: conversion 'bool' does not give a datetime"],
        id="conversion-of-the-wrong-type",
    ),
    pytest.param(
        MINIMAL + 'is_closed = { path = "state", map = { done = "yes" } }\n',
        ["helpdesk", "tickets.fields.is_closed: 'yes' is not a bool"],
        id="value-map-of-the-wrong-type",
    ),
    pytest.param(
        MINIMAL.replace("/people/{id}/tickets", "/people/{person}/tickets"),
        ["helpdesk", "tickets: unknown placeholder {person}"],
        id="unknown-placeholder",
    ),
    pytest.param(
        MINIMAL.replace('items = "data"', 'items = "data"\npaging = { style = "cursor" }'),
        ["helpdesk", "tickets.paging", "cursor paging needs next"],
        id="incomplete-paging",
    ),
    pytest.param(
        MINIMAL + '[connectors.helpdesk.mapping.auth]\ntype = "basic"\n',
        ["helpdesk", "auth.basic", "username"],
        id="basic-auth-without-user",
    ),
    pytest.param(
        MINIMAL + '[connectors.helpdesk.mapping.auth]\ntype = "oauth2"\n',
        ["helpdesk", "auth", "oauth2"],
        id="unknown-auth-type",
    ),
    pytest.param(
        MINIMAL.replace(
            'token_env = "HELPDESK_TOKEN"', 'token_env = "HELPDESK_TOKEN"\ntoken = "s"'
        ),
        ["helpdesk", "token"],
        id="a-secret-in-the-file",
    ),
    pytest.param(
        MINIMAL.replace(
            "[connectors.helpdesk.mapping.tickets]", "[connectors.helpdesk.mapping.t]"
        ).replace("mapping.tickets.fields", "mapping.t.fields"),
        ["helpdesk", "mapping.t: Extra inputs are not permitted"],
        id="unknown-kind",
    ),
    pytest.param(
        MINIMAL.replace('type = "rest"\n', ""),
        ["helpdesk", "unknown type 'helpdesk'"],
        id="no-type-and-no-coded-system",
    ),
    pytest.param(
        MINIMAL + '[connectors.helpdesk.mapping.erase]\nsteps = [{ path = "/users/{email}" }]\n',
        ["helpdesk", "erase.steps.0", "unknown placeholder {email}"],
        id="erase-step-with-an-unknown-placeholder",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_a_bad_description_names_the_system_and_the_key(text: str, expected: list[str]) -> None:
    with pytest.raises(ConnectorConfigError) as caught:
        parse_connectors_config(text)
    message = str(caught.value)
    for part in expected:
        assert part in message, message


def test_an_unset_secret_names_the_system_and_the_variable() -> None:
    oauth = (
        MINIMAL
        + '[connectors.helpdesk.mapping.auth]\ntype = "oauth2_client_credentials"\n'
        + 'token_url = "https://auth.example/token"\nclient_id_env = "HELPDESK_CLIENT_ID"\n'
    )
    with pytest.raises(ConnectorConfigError, match="helpdesk: .*HELPDESK_CLIENT_ID"):
        build_connector(settings_of(oauth), environ={"HELPDESK_TOKEN": "secret"})
    with pytest.raises(ConnectorConfigError, match="helpdesk: .*HELPDESK_TOKEN"):
        build_connector(settings_of(MINIMAL), environ={})


# ---- paging styles, against a small JSON API ----

ITEMS = [{"id": n, "title": f"ticket {n}"} for n in range(1, 8)]  # 7 tickets


def paged_api(calls: list[httpx.Request]) -> httpx.MockTransport:
    """/offset?offset=&limit=, /page?page=&per_page=, /link (Link header), /cursor?after=,
    /away (a next link to another host)."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        path = request.url.path
        if path == "/people/1/offset":
            start, size = int(query["offset"]), int(query["limit"])
            return httpx.Response(200, json={"data": ITEMS[start : start + size]})
        if path == "/people/1/page":
            size = int(query["per_page"])
            start = (int(query["page"]) - 1) * size
            return httpx.Response(200, json={"data": ITEMS[start : start + size]})
        if path == "/people/1/link":
            start = int(query.get("from", "0"))
            headers = {}
            if start + 3 < len(ITEMS):
                headers["Link"] = (
                    f'<https://desk.example/people/1/link?from={start + 3}>; rel="next"'
                )
            return httpx.Response(200, json={"data": ITEMS[start : start + 3]}, headers=headers)
        if path == "/people/1/cursor":
            start = int(query.get("after", "0"))
            more = start + 3 < len(ITEMS)
            body = {"data": ITEMS[start : start + 3], "next": str(start + 3) if more else None}
            return httpx.Response(200, json=body)
        if path == "/people/1/away":
            body = {"data": ITEMS[:1], "next": "https://elsewhere.example/steal"}
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"message": "no"})

    return httpx.MockTransport(handler)


PAGINGS = [
    pytest.param(
        "offset",
        '{ style = "offset", param = "offset", size_param = "limit", size = 3 }',
        3,
        id="offset",
    ),
    pytest.param(
        "page",
        '{ style = "page", param = "page", size_param = "per_page", size = 3 }',
        3,
        id="page",
    ),
    pytest.param("link", '{ style = "link" }', 3, id="link-header"),
    pytest.param("cursor", '{ style = "cursor", next = "next", param = "after" }', 3, id="cursor"),
]


@pytest.mark.parametrize(("route", "paging", "calls_expected"), PAGINGS)
async def test_every_paging_style_reads_every_page(route, paging, calls_expected) -> None:
    text = MINIMAL.replace("/people/{id}/tickets", f"/people/{{id}}/{route}").replace(
        'items = "data"', f'items = "data"\npaging = {paging}'
    )
    calls: list[httpx.Request] = []
    connector = build_connector(
        settings_of(text), environ={"HELPDESK_TOKEN": "t"}, transport=paged_api(calls)
    )
    try:
        tickets = await connector.fetch_tickets(["1"])
    finally:
        await connector.aclose()
    assert sorted(int(t.external_id) for t in tickets["1"]) == [item["id"] for item in ITEMS]
    assert len(calls) == calls_expected
    assert all(call.headers["Authorization"] == "Bearer t" for call in calls)


async def test_a_next_link_to_another_host_is_refused() -> None:
    text = MINIMAL.replace("/people/{id}/tickets", "/people/{id}/away").replace(
        'items = "data"', 'items = "data"\npaging = { style = "cursor", next = "next" }'
    )
    calls: list[httpx.Request] = []
    connector = build_connector(
        settings_of(text), environ={"HELPDESK_TOKEN": "t"}, transport=paged_api(calls)
    )
    try:
        with pytest.raises(BadResponseError, match="away from the base URL"):
            await connector.fetch_tickets(["1"])
    finally:
        await connector.aclose()
    assert {call.url.host for call in calls} == {"desk.example"}


async def test_an_api_key_goes_in_its_header() -> None:
    text = MINIMAL + '[connectors.helpdesk.mapping.auth]\ntype = "api_key"\nheader = "X-Desk-Key"\n'
    calls: list[httpx.Request] = []
    connector = build_connector(
        settings_of(text), environ={"HELPDESK_TOKEN": "k3y"}, transport=paged_api(calls)
    )
    try:
        await connector.health()
    finally:
        await connector.aclose()
    assert calls[0].headers["X-Desk-Key"] == "k3y"
    assert "Authorization" not in calls[0].headers


# ---- OAuth 2 client credentials: a tiny token endpoint and API ----


class TokenServer:
    """Issues tokens for one client, remembers which are valid, serves a user to bearers."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.forms: list[dict[str, list[str]]] = []
        self.app = Starlette(
            routes=[
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/people/{id}/tickets", self.tickets),
                Route("/me", self.tickets),
            ]
        )

    async def token(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode())
        self.forms.append(form)
        expected = "Basic " + base64.b64encode(b"client-1:s%3Acret").decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token = f"token-{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime}
        )

    async def tickets(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.valid:
            return JSONResponse({"message": "expired"}, status_code=401)
        return Response(orjson.dumps({"data": ITEMS[:2]}), media_type="application/json")


def oauth_connector(server: TokenServer, secret: str = "s:cret") -> DeclarativeConnector:
    text = (
        MINIMAL.replace("https://desk.example", "http://desk.test")
        + '[connectors.helpdesk.mapping.auth]\ntype = "oauth2_client_credentials"\n'
        + 'token_url = "http://desk.test/oauth/token"\nclient_id_env = "HELPDESK_CLIENT_ID"\n'
        + 'scope = "tickets:read"\nrefresh_margin = 30.0\n'
    )
    connector = build_connector(
        settings_of(text),
        environ={"HELPDESK_CLIENT_ID": "client-1", "HELPDESK_TOKEN": secret},
        transport=httpx.ASGITransport(app=server.app),
    )
    assert isinstance(connector, DeclarativeConnector)
    return connector


async def test_oauth_token_is_cached_and_fetched_again_on_a_401() -> None:
    # given
    server = TokenServer(lifetime=3600)
    connector = oauth_connector(server)
    try:
        # when: two calls, then the server forgets its tokens
        first = await connector.fetch_tickets(["1"])
        await connector.fetch_tickets(["1"])
        assert server.issued == ["token-1"]
        server.valid.clear()
        again = await connector.fetch_tickets(["1"])
    finally:
        await connector.aclose()

    # then: one token for the first two calls, a second after the 401, no error seen
    assert len(first["1"]) == len(again["1"]) == 2
    assert server.issued == ["token-1", "token-2"]
    assert server.forms[0] == {"grant_type": ["client_credentials"], "scope": ["tickets:read"]}


async def test_oauth_token_is_refreshed_before_it_expires(monkeypatch) -> None:
    # given: tokens live 60 s and are refreshed 30 s before they expire, on a manual clock
    clock = ManualClock()
    monkeypatch.setattr(
        connectors.declarative.auth,
        "ClientCredentialsAuth",
        partial(connectors.declarative.auth.ClientCredentialsAuth, clock=clock),
    )
    server = TokenServer(lifetime=60)
    connector = oauth_connector(server)
    try:
        await connector.fetch_tickets(["1"])
        clock.advance(29.9)
        await connector.fetch_tickets(["1"])
        clock.advance(0.2)
        await connector.fetch_tickets(["1"])
    finally:
        await connector.aclose()
    assert server.issued == ["token-1", "token-2"]
    assert server.valid == {"token-1", "token-2"}  # token-1 was still valid: no 401 was needed


async def test_oauth_refused_client_credentials_are_unauthorized() -> None:
    server = TokenServer(lifetime=3600)
    connector = oauth_connector(server, secret="wrong")
    try:
        with pytest.raises(UnauthorizedError, match="token endpoint"):
            await connector.fetch_tickets(["1"])
    finally:
        await connector.aclose()
    assert server.issued == []
