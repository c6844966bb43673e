"""HubSpot connector against its simulator; simulator against HubSpot's documented shapes."""

from __future__ import annotations

import asyncio

import httpx
import orjson

from connectors.records import EngagementType
from simulators.config import DEMO_TOKENS
from tests.connectors.conftest import first_ids

# Hand-copied from HubSpot's CRM v3 "batch read" and v4 "associations batch read" references.
DOCUMENTED_BATCH_READ = {
    "completedAt": "2023-11-07T05:31:56Z",
    "results": [
        {
            "archived": False,
            "createdAt": "2019-10-30T03:30:17.883Z",
            "id": "512",
            "properties": {},  # documented example property names vary per portal
            "updatedAt": "2019-12-07T16:50:06.678Z",
        }
    ],
    "startedAt": "2023-11-07T05:31:56Z",
    "status": "COMPLETE",
}
DOCUMENTED_ASSOCIATIONS = {
    "completedAt": "2023-11-07T05:31:56Z",
    "results": [
        {
            "from": {"id": "<string>"},
            "to": [
                {
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 123, "label": "x"}
                    ],
                    "toObjectId": 1,
                }
            ],
        }
    ],
    "startedAt": "2023-11-07T05:31:56Z",
    "status": "COMPLETE",
}
# A contact read with `associations=tickets` (CRM v3 "read" reference, response example).
DOCUMENTED_READ_WITH_ASSOCIATIONS = {
    "id": "512",
    "properties": {},
    "createdAt": "2019-10-30T03:30:17.883Z",
    "updatedAt": "2019-12-07T16:50:06.678Z",
    "archived": False,
    "associations": {"tickets": {"results": [{"id": "<string>", "type": "<string>"}]}},
}
DOCUMENTED_ERROR = {
    "status": "error",
    "message": "m",
    "correlationId": "c",
    "category": "VALIDATION_ERROR",
}


def assert_same_shape(actual: object, documented: object, path: str = "$") -> None:
    """Every documented key is present with the documented JSON type (recursively)."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), path
        for key, value in documented.items():
            assert key in actual, f"{path}.{key} missing"
            if actual[key] is not None and value is not None:
                assert_same_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), path
        if documented and actual:
            assert_same_shape(actual[0], documented[0], f"{path}[0]")
    elif isinstance(documented, bool):
        assert isinstance(actual, bool), path
    elif isinstance(documented, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), path
    else:
        assert isinstance(actual, type(documented)), f"{path}: {type(actual).__name__}"


def raw_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://hubspot",
        headers={"Authorization": f"Bearer {DEMO_TOKENS['hubspot']}"},
    )


async def test_simulator_batch_read_matches_documented_shape(simulator, world) -> None:
    ids = first_ids(world, "hubspot", 2)
    async with raw_client(simulator("hubspot")) as client:
        response = await client.post(
            "/crm/v3/objects/contacts/batch/read",
            json={"inputs": [{"id": i} for i in ids], "properties": ["email"]},
        )
    assert response.status_code == 200
    assert_same_shape(response.json(), DOCUMENTED_BATCH_READ)
    assert all(
        isinstance(v, str | None) for v in response.json()["results"][0]["properties"].values()
    )


async def test_simulator_unknown_ids_give_207_with_errors(simulator, world) -> None:
    async with raw_client(simulator("hubspot")) as client:
        response = await client.post(
            "/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": "1"}]}
        )
    assert response.status_code == 207
    assert response.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"


async def test_simulator_associations_and_errors_match_documented_shapes(simulator, world) -> None:
    ids = first_ids(world, "hubspot", 20)
    async with raw_client(simulator("hubspot")) as client:
        assoc = await client.post(
            "/crm/v4/associations/contacts/emails/batch/read",
            json={"inputs": [{"id": i} for i in ids]},
        )
        too_many = await client.post(
            "/crm/v3/objects/contacts/batch/read",
            json={"inputs": [{"id": str(i)} for i in range(101)]},
        )
    assert_same_shape(assoc.json(), DOCUMENTED_ASSOCIATIONS)
    assert too_many.status_code == 400
    assert_same_shape(too_many.json(), DOCUMENTED_ERROR)


async def test_contacts_by_id_and_by_email(simulator, connect, world) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    ids = first_ids(world, "hubspot", 10)
    contacts = await connector.fetch_contacts([*ids, "999"])
    assert set(contacts) == set(ids)  # misses are absent
    emails = [c.email for c in contacts.values() if c.email]
    by_email = await connector.fetch_contacts_by_email([e.upper() for e in emails])
    assert set(by_email) == set(emails)
    sample = contacts[ids[0]]
    assert sample.created_at is not None and sample.email_opens >= sample.email_clicks


async def test_batching_never_sends_more_than_100_ids_per_call(simulator, connect, world) -> None:
    # given 250 ids and a transport that records every request body
    app = simulator("hubspot")
    sizes: list[int] = []
    inner = httpx.ASGITransport(app=app)

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sizes.append(len(orjson.loads(request.content)["inputs"]))
            return await inner.handle_async_request(request)

    connector = connect("hubspot", Recording())
    ids = [str(1001 + n) for n in range(250)]
    # when
    await connector.fetch_contacts(ids)
    # then: three calls, 100 + 100 + 50
    assert sorted(sizes) == [50, 100, 100]


async def test_tickets_and_engagements_newest_first(simulator, connect, world) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    ids = first_ids(world, "hubspot", 25)
    tickets = await connector.fetch_tickets(ids)
    engagements = await connector.fetch_engagements(ids)
    assert tickets and engagements
    for items in engagements.values():
        moments = [e.occurred_at for e in items]
        assert moments == sorted(moments, reverse=True)
    assert {e.type for items in engagements.values() for e in items} == set(EngagementType)
    calls_only = await connector.fetch_engagements(ids, [EngagementType.CALL])
    assert {e.type for items in calls_only.values() for e in items} == {EngagementType.CALL}


async def test_gdpr_delete_really_deletes(simulator, connect, world) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    contact_id = first_ids(world, "hubspot", 1)[0]
    assert await connector.erase_contact(contact_id) is True
    assert await connector.fetch_contacts([contact_id]) == {}
    assert await connector.fetch_tickets([contact_id]) == {}
    assert await connector.erase_contact(contact_id) is False


async def test_search_finds_a_contact_by_name(simulator, connect, world) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    contact = (await connector.fetch_contacts(first_ids(world, "hubspot", 1))).popitem()[1]
    found = await connector.search_contacts(f"{contact.given_name} {contact.family_name}")
    assert contact.external_id in {c.external_id for c in found}


async def test_21_concurrency_limit_is_never_exceeded(simulator, connect, world) -> None:
    # given a slow source and a pool of 5
    from simulators import FaultSettings

    connector = connect("hubspot", simulator("hubspot", FaultSettings(latency_ms=20)))
    ids = first_ids(world, "hubspot", 40)
    # when 40 single-id reads run at once
    await asyncio.gather(*(connector.fetch_contacts([i]) for i in ids))
    # then never more than 5 were in flight
    assert connector.client.peak_in_flight == 5
    assert connector.client.upstream_requests == 40


async def test_iter_changes_yields_oldest_first(simulator, connect, world) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    since = world.now.replace(year=world.now.year - 1)
    changes = [change async for change in connector.iter_changes(since)]
    moments = [c.changed_at for c in changes]
    assert changes and moments == sorted(moments) and all(m >= since for m in moments)


async def test_health_reports_ok_and_errors(simulator, connect) -> None:
    from connectors.errors import SourceStatus

    assert (await connect("hubspot", simulator("hubspot")).health()).status is SourceStatus.OK
    broken = connect("hubspot", simulator("hubspot", token="other"))
    assert (await broken.health()).status is SourceStatus.ERROR


class Recording(httpx.AsyncBaseTransport):
    """Passes requests to `app` and keeps their (method, path)."""

    def __init__(self, app, rewrite=None) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.rewrite = rewrite
        self.calls: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        if self.rewrite is None or request.method != "GET":
            return response
        await response.aread()
        body = self.rewrite(orjson.loads(response.content))
        return httpx.Response(response.status_code, json=body)


async def test_simulator_contact_read_lists_associations_like_hubspot(simulator, world) -> None:
    contact_id = first_ids(world, "hubspot", 1)[0]
    async with raw_client(simulator("hubspot")) as client:
        read = await client.get(
            f"/crm/v3/objects/contacts/{contact_id}",
            params={"associations": "tickets,calls,emails,notes,meetings,deals"},
        )
        batch = await client.post(
            "/crm/v4/associations/contacts/calls/batch/read", json={"inputs": [{"id": contact_id}]}
        )
    body = read.json()
    assert_same_shape(body, {**DOCUMENTED_READ_WITH_ASSOCIATIONS, "associations": {}})
    assert body["associations"] and "deals" not in body["associations"]
    for block in body["associations"].values():
        assert_same_shape(block, DOCUMENTED_READ_WITH_ASSOCIATIONS["associations"]["tickets"])
    calls = [str(t["toObjectId"]) for r in batch.json()["results"] for t in r["to"]]
    listed = body["associations"].get("calls", {"results": []})["results"]
    assert [r["id"] for r in listed] == calls


async def test_engagements_of_one_contact_read_its_associations_in_one_call(
    simulator, connect, world
) -> None:
    # given one contact, and the same contact among others (the per-type batch path)
    app = simulator("hubspot")
    ids = first_ids(world, "hubspot", 25)
    recording = Recording(app)
    single = connect("hubspot", recording)
    batched = connect("hubspot", app)
    expected = await batched.fetch_engagements(ids)
    contact_id = next(i for i in ids if i in expected)

    # when
    engagements = await single.fetch_engagements([contact_id])

    # then one contact read replaced the four association reads, with the same answer
    assert engagements == {contact_id: expected[contact_id]}
    reads = [path for method, path in recording.calls if method == "GET"]
    assert reads == [f"/crm/v3/objects/contacts/{contact_id}"]
    assert not [path for _, path in recording.calls if path.startswith("/crm/v4/")]
    assert len(recording.calls) == 1 + len({e.type for e in engagements[contact_id]})


async def test_a_paged_association_list_is_read_again_through_the_batch_endpoint(
    simulator, connect, world
) -> None:
    # given a contact read whose calls list says more pages follow
    def paged(body):
        calls = body["associations"].get("calls")
        if calls:
            calls["results"] = calls["results"][:1]
            calls["paging"] = {"next": {"after": "1", "link": "?after=1"}}
        return body

    app = simulator("hubspot")
    ids = first_ids(world, "hubspot", 25)
    expected = await connect("hubspot", app).fetch_engagements(ids)
    contact_id = next(
        i for i in ids if sum(e.type is EngagementType.CALL for e in expected.get(i, [])) > 1
    )
    recording = Recording(app, rewrite=paged)

    # when
    engagements = await connect("hubspot", recording).fetch_engagements([contact_id])

    # then every call is there, read again through the v4 batch endpoint
    assert engagements[contact_id] == expected[contact_id]
    assert ("POST", "/crm/v4/associations/contacts/calls/batch/read") in recording.calls


async def test_an_unknown_contact_has_no_engagements(simulator, connect) -> None:
    connector = connect("hubspot", simulator("hubspot"))
    assert await connector.fetch_engagements(["1"]) == {}


async def test_tickets_and_engagements_of_one_contact_share_one_contact_read(
    simulator, connect, world
) -> None:
    # given a contact with tickets, and its answers through the per-type batch path
    app = simulator("hubspot")
    ids = first_ids(world, "hubspot", 25)
    batched = connect("hubspot", app)
    expected_tickets = await batched.fetch_tickets(ids)
    expected_engagements = await batched.fetch_engagements(ids)
    contact_id = next(i for i in ids if i in expected_tickets and i in expected_engagements)
    recording = Recording(app)
    connector = connect("hubspot", recording)

    # when both are asked at once, as one request does
    tickets, engagements = await asyncio.gather(
        connector.fetch_tickets([contact_id]), connector.fetch_engagements([contact_id])
    )

    # then one contact read served both
    assert tickets == {contact_id: expected_tickets[contact_id]}
    assert engagements == {contact_id: expected_engagements[contact_id]}
    assert [method for method, _ in recording.calls].count("GET") == 1
    assert not [path for _, path in recording.calls if path.startswith("/crm/v4/")]


async def test_a_caller_giving_up_does_not_cancel_a_shared_contact_read(
    simulator, connect, world
) -> None:
    # given a slow source and two callers waiting for the same contact read
    from simulators import FaultSettings

    recording = Recording(simulator("hubspot", FaultSettings(latency_ms=50)))
    connector = connect("hubspot", recording)
    contact_id = first_ids(world, "hubspot", 1)[0]
    impatient = asyncio.create_task(connector.fetch_tickets([contact_id]))
    patient = asyncio.create_task(connector.fetch_engagements([contact_id]))
    while not recording.calls and not patient.done():  # until the shared read is under way
        await asyncio.sleep(0)

    # when one gives up
    impatient.cancel()

    # then the other still gets its answer from the one read
    assert await patient
    assert impatient.cancelled()
    assert [method for method, _ in recording.calls].count("GET") == 1
