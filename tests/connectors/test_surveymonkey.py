"""SurveyMonkey connector against its simulator; simulator against the documented shapes."""

from __future__ import annotations

import httpx

from simulators.config import DEMO_TOKENS
from tests.connectors.conftest import first_ids
from tests.connectors.test_hubspot import assert_same_shape

# Hand-copied shapes from SurveyMonkey's API v3 reference (responses/bulk, errors).
DOCUMENTED_BULK = {
    "data": [
        {
            "id": "5555555555",
            "survey_id": "123456789",
            "collector_id": "111111111",
            "response_status": "completed",
            "date_created": "2026-01-20T10:15:00+00:00",
            "date_modified": "2026-01-20T10:30:00+00:00",
            "href": "https://api.surveymonkey.com/v3/surveys/123456789/responses/5555555555",
            "custom_variables": {},
            "pages": [
                {
                    "id": "111111",
                    "questions": [{"id": "222222", "answers": [{"choice_id": "333333"}]}],
                }
            ],
        }
    ],
    "page": 1,
    "per_page": 1,
    "total": 1,
    "links": {"self": "https://api.surveymonkey.com/v3/surveys/123456789/responses/bulk?page=1"},
}
DOCUMENTED_ERROR = {
    "error": {
        "id": "1011",
        "name": "Authorization Error",
        "docs": "https://x",
        "message": "m",
        "http_status_code": 401,
    }
}


def raw_client(app, token: str = DEMO_TOKENS["surveymonkey"]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sm",
        headers={"Authorization": f"bearer {token}"},
    )


async def test_simulator_bulk_and_errors_match_documented_shapes(simulator) -> None:
    app = simulator("surveymonkey")
    async with raw_client(app) as client:
        bulk = await client.get("/v3/surveys/410000001/responses/bulk", params={"per_page": 5})
        too_big = await client.get("/v3/surveys/410000001/responses/bulk", params={"per_page": 101})
    async with raw_client(app, "bad") as client:
        unauthorized = await client.get("/v3/surveys")
    assert_same_shape(bulk.json(), DOCUMENTED_BULK)
    assert "next" in bulk.json()["links"]
    assert too_big.status_code == 400
    assert unauthorized.status_code == 401
    assert_same_shape(unauthorized.json(), DOCUMENTED_ERROR)


async def test_responses_have_scores_from_configured_questions(simulator, connect, world) -> None:
    connector = connect("surveymonkey", simulator("surveymonkey"))
    ids = first_ids(world, "surveymonkey", 15)
    responses = await connector.fetch_responses([*ids, "1"])
    flat = [r for items in responses.values() for r in items]
    assert flat and set(responses) <= set(ids)
    assert all(r.nps is None or 0 <= r.nps <= 10 for r in flat)
    assert all(r.csat is None or 1 <= r.csat <= 5 for r in flat)
    assert all(r.ces is None or 1 <= r.ces <= 7 for r in flat)
    assert any(r.nps is not None for r in flat) and any(r.ces is not None for r in flat)
    by_email = [r for r in flat if r.customer_id]
    assert all(world.person_by_customer_id(r.customer_id) is not None for r in by_email)


async def test_question_mapping_is_configuration(simulator, connect, world) -> None:
    # given a configuration that maps no question to NPS
    connector = connect("surveymonkey", simulator("surveymonkey"), mapping={"nps_question_ids": ()})
    responses = await connector.fetch_responses(first_ids(world, "surveymonkey", 15))
    assert all(r.nps is None for items in responses.values() for r in items)


async def test_iter_changes_pages_through_every_survey(simulator, connect, world) -> None:
    connector = connect("surveymonkey", simulator("surveymonkey"), mapping={"page_size": 7})
    since = world.now.replace(year=world.now.year - 1)
    changes = [c async for c in connector.iter_changes(since)]
    assert len({c.record.survey_id for c in changes}) == 3
    assert len({c.external_id for c in changes}) == len(changes)
    assert all(c.changed_at and c.changed_at >= since for c in changes)


async def test_list_surveys_and_health(simulator, connect) -> None:
    from connectors.errors import SourceStatus

    connector = connect("surveymonkey", simulator("surveymonkey"))
    assert [s.external_id for s in await connector.list_surveys()] == [
        "410000001",
        "410000002",
        "410000003",
    ]
    assert (await connector.health()).status is SourceStatus.OK
