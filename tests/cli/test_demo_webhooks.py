"""`c360 demo`'s support-desk simulator sends Zendesk's signed ticket events to the gateway's
URL when a ticket changes through its API (the demo's live-update path, gateway aside)."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.settings import Settings
from connectors.webhook_signatures import ZENDESK_SIGNATURE, ZENDESK_TIMESTAMP, zendesk_signature
from simulators.config import DEMO_TOKENS, ZENDESK_DEMO_USER
from simulators.demo_sources import demo_simulators
from simulators.world import build_world
from tests.events.webhook_receiver import free_port

SECRET = "zendesk-demo-secret-for-tests"
WAIT = 60.0  # bounds a hung test (simulators starting on a busy host), never a timing assertion


async def test_a_ticket_updated_in_the_demo_desk_is_posted_signed_to_the_gateway():
    # given the demo's simulators pointed at a stand-in for the gateway
    received: list[tuple[str, dict[str, str], bytes]] = []

    async def webhook(request: Request) -> Response:
        received.append((request.url.path, dict(request.headers), await request.body()))
        return Response(status_code=200)

    port = free_port()
    gateway = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/webhooks/{system}", webhook, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    serving = asyncio.create_task(gateway.serve())
    ports = {f"demo_{s}_port": free_port() for s in ("odoo", "hubspot", "surveymonkey", "zendesk")}
    desk_port = ports["demo_zendesk_port"]
    settings = Settings(demo_customers=20, zendesk_webhook_secret=SECRET, **ports)
    world = build_world(settings.demo_customers, settings.seed)
    requester = world.zendesk_user_id(world.zendesk_members[0])
    assert requester is not None
    try:
        with demo_simulators(settings, gateway_url=f"http://127.0.0.1:{port}"):
            async with (
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{desk_port}",
                    auth=(ZENDESK_DEMO_USER, DEMO_TOKENS["zendesk"]),
                ) as desk,
                asyncio.timeout(WAIT),
            ):
                # when a ticket is opened through Zendesk's API
                body = {"ticket": {"requester_id": int(requester), "comment": {"body": "Hi"}}}
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        opened = await desk.post("/api/v2/tickets.json", json=body)
                        break
                    await asyncio.sleep(0.2)
    finally:
        gateway.should_exit = True
        await serving

    # then the gateway got Zendesk's event, signed with the demo's secret
    assert opened.status_code == 201, opened.text
    ((path, headers, sent),) = received
    timestamp = headers[ZENDESK_TIMESTAMP.lower()]
    assert path == "/webhooks/zendesk"
    assert headers[ZENDESK_SIGNATURE.lower()] == zendesk_signature(
        secret=SECRET, timestamp=timestamp, body=sent
    )
    event = orjson.loads(sent)
    assert event["type"] == "zen:event-type:ticket.created"
    assert event["detail"]["requester_id"] == requester
    assert event["detail"]["id"] == str(opened.json()["ticket"]["id"])
