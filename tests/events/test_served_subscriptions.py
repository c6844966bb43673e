"""Subscriptions through a real `c360 serve` (uvicorn), with a client that offers
permessage-deflate as browsers and `websockets` do: the server declines it (an event frame is
small; compressing it per socket cost more CPU than it saved, bench/RESULTS.md issue 14) and
delivers the change."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tests.events.served import WAIT, admin_key, served

STREAM = "subscription { customerEventStream(kinds: [PROFILE_CHANGED]) { kind changed } }"
CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"


async def test_a_served_subscription_declines_compression_and_delivers(database_url):
    # given a real `c360 serve`
    key = admin_key(database_url, "ws-test")
    async with served(database_url) as (_, url), httpx.AsyncClient() as client:
        async with asyncio.timeout(WAIT):
            # when a client offering permessage-deflate follows the stream and a customer is
            # created
            async with connect(
                f"ws{url.removeprefix('http')}/graphql",
                subprotocols=[Subprotocol("graphql-transport-ws")],
            ) as ws:
                init = {"type": "connection_init", "payload": {"X-API-Key": key}}
                await ws.send(orjson.dumps(init).decode())
                acknowledged = orjson.loads(await ws.recv())
                subscribe = {"type": "subscribe", "id": "1", "payload": {"query": STREAM}}
                await ws.send(orjson.dumps(subscribe).decode())
                message = None
                while message is None:  # a subscribe is registered asynchronously: a change
                    # committed before it is not for it, so create until one is heard
                    variables = {"input": {"givenName": "Ada", "familyName": "Served"}}
                    created = await client.post(
                        f"{url}/graphql",
                        json={"query": CREATE, "variables": variables},
                        headers={"X-API-Key": key},
                    )
                    assert "errors" not in created.json(), created.json()
                    with contextlib.suppress(TimeoutError):
                        received = orjson.loads(await asyncio.wait_for(ws.recv(), 1.0))
                        message = received if received["type"] != "ping" else None
                extensions = ws.response.headers.get("Sec-WebSocket-Extensions")
                protocol = ws.subprotocol

    # then
    assert extensions is None
    assert protocol == "graphql-transport-ws"
    assert acknowledged == {"type": "connection_ack"}
    assert message["id"] == "1"
    assert message["payload"]["data"]["customerEventStream"]["kind"] == "PROFILE_CHANGED"
