"""Subscriptions through a real `c360 serve` (uvicorn), with a client that offers
permessage-deflate as browsers and `websockets` do: the server declines it (an event frame is
small; compressing it per socket cost more CPU than it saved, bench/RESULTS.md issue 14) and
delivers the change."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tests.events.webhook_receiver import free_port

C360 = str(Path(sys.executable).parent / "c360")
WAIT = 60.0  # bounds a hung test (a server start on a busy host), never a timing assertion
STREAM = "subscription { customerEventStream(kinds: [PROFILE_CHANGED]) { kind changed } }"
CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"


def _admin_key(database_url: str) -> str:
    created = subprocess.run(
        [C360, "keys", "create", "--name", "ws-test", "--role", "admin", "--purpose", "support"],
        env={**os.environ, "C360_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


async def test_a_served_subscription_declines_compression_and_delivers(database_url):
    # given a real `c360 serve`
    key = _admin_key(database_url)
    port = free_port()
    env = {
        **os.environ,
        "C360_DATABASE_URL": database_url,
        "C360_PORT": str(port),
        "C360_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen([C360, "serve"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client, asyncio.timeout(WAIT):
            while True:
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)

            # when a client offering permessage-deflate follows the stream and a customer is
            # created
            async with connect(
                f"ws://127.0.0.1:{port}/graphql",
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
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, 30)

    # then
    assert extensions is None
    assert protocol == "graphql-transport-ws"
    assert acknowledged == {"type": "connection_ack"}
    assert message["id"] == "1"
    assert message["payload"]["data"]["customerEventStream"]["kind"] == "PROFILE_CHANGED"
