"""Zendesk Support, connected by configuration only, against its simulator.

The connector is the declarative one, built from the same TOML description real users copy
(`connectors/zendesk.example.toml`, via `simulators.config.zendesk_table`); every expected value
comes from the world's truth (`simulators.desk`), and the simulator's bodies are checked
against Zendesk's documented JSON.
"""

from __future__ import annotations

import asyncio
import base64
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from connectors.base import Connector
from connectors.config import ConnectorSettings
from connectors.declarative.client import TokenBucket
from connectors.declarative.connector import DeclarativeConnector
from connectors.errors import (
    BadResponseError,
    RateLimitedError,
    SourceStatus,
    UnauthorizedError,
)
from connectors.records import Capability, EngagementType
from connectors.registry import ConnectorsConfig, build_connector
from simulators import FaultSettings, create_simulator_app
from simulators.config import DEMO_TOKEN_ENVS, DEMO_TOKENS, demo_environment, zendesk_table
from simulators.desk import desk_tickets, desk_user
from simulators.world import World
from tests.connectors.conftest import TEST_BUDGET
from tests.connectors.test_hubspot import assert_same_shape
from tests.manual_clock import ManualClock

# Zendesk's documented examples (API reference: Users "Show User", Tickets "List Tickets" with
# cursor pagination, Ticket Comments "List Comments", Incremental Exports "Incremental User
# Export, Cursor Based"), trimmed to the keys the description reads.
DOCUMENTED_USER = {
    "active": True,
    "created_at": "2009-07-20T22:55:29Z",
    "email": "johnny@example.com",
    "id": 35436,
    "locale": "en-US",
    "name": "Johnny Agent",
    "phone": "+15551234567",
    "role": "agent",
    "updated_at": "2011-05-05T10:38:52Z",
    "url": "https://company.zendesk.com/api/v2/users/35436.json",
    "verified": True,
}
DOCUMENTED_TICKETS_PAGE = {
    "tickets": [
        {
            "id": 35436,
            "subject": "Help, my printer is on fire!",
            "description": "The fire is very colorful.",
            "status": "open",
            "priority": "high",
            "type": "incident",
            "requester_id": 20978392,
            "created_at": "2009-07-20T22:55:29Z",
            "updated_at": "2011-05-05T10:38:52Z",
            "tags": ["enterprise", "other_tag"],
        }
    ],
    "meta": {"has_more": True, "after_cursor": "xxx", "before_cursor": "yyy"},
    "links": {
        "next": "https://example.zendesk.com/api/v2/tickets.json?page[size]=100&page[after]=xxx"
    },
}
DOCUMENTED_COMMENT = {
    "id": 1274,
    "type": "Comment",
    "author_id": 123123,
    "body": "Thanks for your help!",
    "html_body": "<p>Thanks for your help!</p>",
    "plain_body": "Thanks for your help!",
    "public": True,
    "attachments": [],
    "created_at": "2009-07-20T22:55:29Z",
}
DOCUMENTED_INCREMENTAL = {
    "after_cursor": "MTU3NjYxMzUzOS4wfHw0Njd8",
    "after_url": "https://example.zendesk.com/api/v2/incremental/users/cursor.json?cursor=MTU",
    "before_cursor": None,
    "before_url": None,
    "end_of_stream": True,
    "users": [DOCUMENTED_USER],
}


def zendesk_settings(**mapping: Any) -> ConnectorSettings:
    """The demo's Zendesk table with the suite's small timeouts; `mapping` overrides kinds."""
    table = zendesk_table(8704)
    table["timeouts"] = {"connect": 0.2, "read": TEST_BUDGET, "budget": TEST_BUDGET}
    table["retries"] = {"attempts": 3, "wait_initial": 0.001, "wait_max": 0.01, "wait_jitter": 0.0}
    table["circuit"] = {"failure_threshold": 3, "cooldown": 0.2}
    for key, value in mapping.items():
        current = table["mapping"].get(key)
        table["mapping"][key] = (
            {**current, **value} if isinstance(value, dict) and current else value
        )
    return ConnectorsConfig.model_validate({"connectors": {"zendesk": table}}).connectors["zendesk"]


@pytest.fixture
def zendesk_app(world: World) -> Callable[..., Starlette]:
    def make(faults: FaultSettings | None = None) -> Starlette:
        return create_simulator_app("zendesk", world, faults)

    return make


@pytest.fixture
async def zendesk(
    zendesk_app: Callable[..., Starlette],
) -> Any:
    """Build declarative Zendesk connectors over a simulator; closes them after the test."""
    built: list[Connector] = []

    def factory(
        app: Starlette | None = None,
        *,
        environ: dict[str, str] | None = None,
        settings: ConnectorSettings | None = None,
    ) -> DeclarativeConnector:
        connector = build_connector(
            settings or zendesk_settings(),
            environ=environ or demo_environment(),
            transport=httpx.ASGITransport(app=app or zendesk_app()),
        )
        assert isinstance(connector, DeclarativeConnector)
        built.append(connector)
        return connector

    yield factory
    for connector in built:
        await connector.aclose()


def zendesk_ids(world: World, count: int | None = None) -> list[str]:
    ids = [link.external_id for link in world.links if link.system == "zendesk"]
    return ids if count is None else ids[:count]


def with_tickets(world: World, least: int) -> list[str]:
    """Zendesk user ids whose person requested at least `least` tickets."""
    return [
        user_id
        for user_id in zendesk_ids(world)
        if len(desk_tickets(world, world.zendesk_user(user_id), user_id)) >= least
    ]


def basic(user: str, token: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


AUTH = basic("agent@c360.example/token", DEMO_TOKENS["zendesk"])


# ---- the simulator speaks Zendesk's documented wire format ----


async def test_simulator_bodies_have_the_documented_shapes(world: World) -> None:
    app = create_simulator_app("zendesk", world)
    user_id = with_tickets(world, 2)[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://zendesk.test", headers=AUTH
    ) as client:
        user = (await client.get(f"/api/v2/users/{user_id}.json")).json()
        tickets = (
            await client.get(f"/api/v2/users/{user_id}/tickets/requested", params={"page[size]": 1})
        ).json()
        ticket_id = tickets["tickets"][0]["id"]
        comments = (await client.get(f"/api/v2/tickets/{ticket_id}/comments.json")).json()
        export = (
            await client.get("/api/v2/incremental/users/cursor.json", params={"start_time": 0})
        ).json()
        unauthorized = await client.get("/api/v2/users/me.json", headers=basic("x@y/token", "no"))
    assert_same_shape(user["user"], DOCUMENTED_USER)
    assert_same_shape(tickets, DOCUMENTED_TICKETS_PAGE)
    assert tickets["links"]["next"].startswith("http://zendesk.test/api/v2/users/")
    assert_same_shape(comments["comments"][0], DOCUMENTED_COMMENT)
    assert_same_shape(export, DOCUMENTED_INCREMENTAL)
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"error": "Couldn't authenticate you"}


# ---- each kind mapped right ----


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/api/v2/users/show_many.json", {"ids": "{ids}"}, id="ids-in-params"),
        pytest.param("/api/v2/users/show_many.json?ids={ids}", {}, id="ids-in-path"),
    ],
)
async def test_contacts_by_id_come_from_batched_show_many(
    world, zendesk, zendesk_app, path, params
) -> None:
    # given: batches of at most 10 ids
    app = zendesk_app()
    batch = {"path": path, "params": params, "items": "users", "max_size": 10}
    connector = zendesk(app, settings=zendesk_settings(contact={"batch": batch}))
    ids = zendesk_ids(world, 25)

    # when
    contacts = await connector.fetch_contacts([*ids, "36199999999", ids[0]])

    # then
    assert app.state.gate.requests == math.ceil(25 / 10)
    assert set(contacts) == set(ids)
    for user_id, contact in contacts.items():
        person = world.zendesk_user(user_id)
        truth = desk_user(world, person, user_id)
        assert contact.system == "zendesk"
        assert contact.external_id == user_id
        assert (contact.given_name, contact.family_name) == (person.given_name, person.family_name)
        assert contact.email == person.emails[0]
        assert contact.phone == truth.phone
        assert contact.created_at == truth.created_at
        assert contact.updated_at == truth.updated_at
        assert contact.archived is False


async def test_contacts_by_id_without_a_batch_endpoint_read_each_user(world, zendesk) -> None:
    settings = zendesk_settings(
        contact={"path": "/api/v2/users/{id}.json", "items": "user", "batch": None}
    )
    connector = zendesk(settings=settings)
    ids = zendesk_ids(world, 3)
    contacts = await connector.fetch_contacts([*ids, "36199999999"])
    assert set(contacts) == set(ids)  # the unknown id answered 404: absent, not an error


async def test_contacts_by_email_and_search(world, zendesk) -> None:
    connector = zendesk()
    ids = zendesk_ids(world, 4)
    people = {world.zendesk_user(i).emails[0]: i for i in ids}
    found = await connector.fetch_contacts_by_email(
        [e.upper() for e in people] + ["no@one.example"]
    )
    assert {email: c.external_id for email, c in found.items()} == people
    person = world.zendesk_user(ids[1])
    hits = await connector.search_contacts(person.emails[0], limit=5)
    assert [c.external_id for c in hits] == [ids[1]]


async def test_tickets_are_mapped_from_requested_tickets(world, zendesk) -> None:
    connector = zendesk()
    ids = with_tickets(world, 1)[:6]
    tickets = await connector.fetch_tickets(ids)
    assert set(tickets) == set(ids)
    for user_id in ids:
        truth = desk_tickets(world, world.zendesk_user(user_id), user_id)
        got = tickets[user_id]
        assert [t.external_id for t in got] == [str(t.ticket_id) for t in reversed(truth)]
        for ticket, spec in zip(got, reversed(truth), strict=True):
            assert ticket.contact_external_id == user_id
            assert ticket.subject == spec.subject
            assert ticket.content == spec.description
            assert ticket.pipeline_stage == spec.status
            assert ticket.is_closed == (spec.status in ("solved", "closed"))
            assert ticket.closed_at == (spec.updated_at if ticket.is_closed else None)
            assert (ticket.priority, ticket.category) == (spec.priority, spec.type)
            assert ticket.created_at == spec.created_at


async def test_cursor_paging_follows_links_next_across_pages(world, zendesk, zendesk_app) -> None:
    # given: pages of 2 tickets
    user_id = with_tickets(world, 5)[0]
    count = len(desk_tickets(world, world.zendesk_user(user_id), user_id))
    app = zendesk_app()
    connector = zendesk(app, settings=zendesk_settings(tickets={"params": {"page[size]": 2}}))

    # when
    tickets = await connector.fetch_tickets([user_id])

    # then
    assert len(tickets[user_id]) == count
    assert app.state.gate.requests == math.ceil(count / 2)


async def test_paging_stops_at_the_page_cap(world, zendesk) -> None:
    user_id = with_tickets(world, 3)[0]
    paging = {"style": "cursor", "next": "links.next", "has_more": "meta.has_more", "max_pages": 1}
    settings = zendesk_settings(tickets={"params": {"page[size]": 1}, "paging": paging})
    tickets = await zendesk(settings=settings).fetch_tickets([user_id])
    assert len(tickets[user_id]) == 1


async def test_ticket_comments_are_engagements(world, zendesk, zendesk_app) -> None:
    # given
    app = zendesk_app()
    connector = zendesk(app)
    user_id = with_tickets(world, 2)[0]
    truth = desk_tickets(world, world.zendesk_user(user_id), user_id)

    # when: tickets and engagements at once, as a request asks them
    tickets, engagements = await asyncio.gather(
        connector.fetch_tickets([user_id]), connector.fetch_engagements([user_id])
    )

    # then: one tickets read shared, one comments read per ticket
    assert app.state.gate.requests == 1 + len(truth)
    comments = {str(c.comment_id): (t, c) for t in truth for c in t.comments}
    got = engagements[user_id]
    assert {e.external_id for e in got} == set(comments)
    assert [e.occurred_at for e in got] == sorted((e.occurred_at for e in got), reverse=True)
    for engagement in got:
        ticket, comment = comments[engagement.external_id]
        assert engagement.type == (EngagementType.EMAIL if comment.public else EngagementType.NOTE)
        assert engagement.title == ticket.subject
        assert engagement.body == comment.body
        assert engagement.occurred_at == comment.created_at
        inbound = comment.author_id == ticket.requester_id
        assert engagement.direction == ("INBOUND" if inbound else "OUTBOUND")
    assert len(tickets[user_id]) == len(truth)
    notes = await connector.fetch_engagements([user_id], [EngagementType.NOTE])
    assert all(e.type is EngagementType.NOTE for e in notes.get(user_id, []))


async def test_iter_changes_reads_the_incremental_export(world, zendesk, zendesk_app) -> None:
    # given: pages of 10 users
    app = zendesk_app()
    changes = {"params": {"start_time": "{since_epoch}", "per_page": 10}}
    connector = zendesk(app, settings=zendesk_settings(changes=changes))
    users = [
        desk_user(world, world.people[k], i)
        for k, i in zip(world.zendesk_members, zendesk_ids(world), strict=True)
    ]
    since = sorted(u.updated_at for u in users)[len(users) // 2]

    # when
    seen = [change async for change in connector.iter_changes(since)]

    # then: every user updated since then, oldest change first, in pages of 10
    expected = sorted(
        (u for u in users if u.updated_at >= since), key=lambda u: (u.updated_at, u.user_id)
    )
    assert [c.external_id for c in seen] == [str(u.user_id) for u in expected]
    assert all(c.entity == "contact" and c.system == "zendesk" for c in seen)
    assert [c.changed_at for c in seen] == [u.updated_at for u in expected]
    assert seen[0].record.email == expected[0].email
    assert app.state.gate.requests == max(1, math.ceil(len(expected) / 10))


async def test_capabilities_come_from_the_described_kinds(zendesk) -> None:
    connector = zendesk()
    assert connector.system == "zendesk"
    assert connector.capabilities == {
        Capability.PROFILES,
        Capability.LOOKUP_BY_EMAIL,
        Capability.SEARCH,
        Capability.TICKETS,
        Capability.ENGAGEMENTS,
        Capability.CHANGES,
        Capability.ERASURE,
    }
    assert (await connector.health()).status is SourceStatus.OK


# ---- resilience: the shared SourceClient's, plus the client-side rate limit ----


async def test_the_client_side_rate_limit_is_honoured(zendesk, zendesk_app) -> None:
    # given: 16 requests a second (1/16 s is exact in binary, as the manual clock needs),
    # one at a time
    app = zendesk_app()
    connector = zendesk(
        app, settings=zendesk_settings(rate_limit={"requests": 16, "per": "second", "burst": 1})
    )
    bucket = connector.client.bucket
    assert bucket is not None and (bucket.rate, bucket.capacity) == (16, 1)
    # the same limit, on a clock that moves only when the limiter waits
    clock = ManualClock()
    connector.client.bucket = TokenBucket(
        bucket.rate, bucket.capacity, clock=clock, sleep=clock.sleep
    )

    # when
    reports = await asyncio.gather(*(connector.health() for _ in range(6)))

    # then: the first goes at once, the other five wait their turn (1/16 s each)
    assert {r.status for r in reports} == {SourceStatus.OK}
    assert clock.slept == [1 / 16] * 5
    assert app.state.gate.requests == 6


async def test_429_with_retry_after_is_retried(world, zendesk, zendesk_app) -> None:
    # given: Zendesk says 429 (Retry-After: 0) once, then answers
    app = zendesk_app()
    inner = httpx.ASGITransport(app=app)
    calls: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            body = {"error": "APIRateLimitExceeded", "description": "slow down"}
            return httpx.Response(429, headers={"Retry-After": "0"}, json=body)
        response = await inner.handle_async_request(request)
        await response.aread()
        return response

    connector = build_connector(
        zendesk_settings(), environ=demo_environment(), transport=httpx.MockTransport(handler)
    )
    try:
        # when
        contacts = await connector.fetch_contacts(zendesk_ids(world, 2))
    finally:
        await connector.aclose()

    # then
    assert len(contacts) == 2
    assert len(calls) == 2


async def test_429_whose_retry_after_exceeds_the_budget_fails_fast(
    world, zendesk, zendesk_app, retry_waits
) -> None:
    app = zendesk_app(FaultSettings(rate_limit=1, rate_window_seconds=60.0))
    connector = zendesk(app)
    await connector.health()
    with pytest.raises(RateLimitedError) as caught:
        await connector.fetch_contacts(zendesk_ids(world, 1))
    assert caught.value.retry_after is not None and caught.value.retry_after >= TEST_BUDGET
    # no retry was scheduled: the call gave up at once instead of waiting out its budget
    assert retry_waits == []
    assert app.state.gate.requests == 2


async def test_a_bad_token_is_unauthorized(world, zendesk) -> None:
    environ = {DEMO_TOKEN_ENVS["zendesk"]: "wrong-token"}
    connector = zendesk(environ=environ)
    with pytest.raises(UnauthorizedError):
        await connector.fetch_contacts(zendesk_ids(world, 1))
    report = await connector.health()
    assert report.status is SourceStatus.ERROR
    assert "wrong-token" not in (report.detail or "")


@pytest.mark.parametrize("kind", ["json", "shape"])
async def test_garbage_is_a_bad_response(world, zendesk, zendesk_app, kind) -> None:
    app = zendesk_app(FaultSettings(malformed_rate=1.0, malformed_kind=kind))
    connector = zendesk(app)
    with pytest.raises(BadResponseError):
        await connector.fetch_contacts(zendesk_ids(world, 1))
    with pytest.raises(BadResponseError):
        await connector.fetch_tickets(with_tickets(world, 1)[:1])


async def test_a_value_that_does_not_convert_is_a_bad_response(world, zendesk) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        user = {"id": 1, "name": "A B", "email": "a@b.example", "created_at": "yesterday"}
        return httpx.Response(200, content=orjson.dumps({"users": [user]}))

    connector = build_connector(
        zendesk_settings(), environ=demo_environment(), transport=httpx.MockTransport(handler)
    )
    try:
        with pytest.raises(BadResponseError, match="contact"):
            await connector.fetch_contacts(["1"])
    finally:
        await connector.aclose()


async def test_changes_since_now_are_empty(world, zendesk) -> None:
    connector = zendesk()
    later = world.now + timedelta(days=1)
    assert [c async for c in connector.iter_changes(later)] == []
    assert datetime.now(UTC) > later - timedelta(days=3650)  # the world is in the past
