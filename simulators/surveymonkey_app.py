"""SurveyMonkey simulator: API v3 surveys, survey details, responses/bulk and contacts.

Speaks the documented wire format: `Authorization: bearer <token>`, list envelopes with
`data`, `per_page`, `page`, `total` and `links.self/next/last`, `per_page` at most 100 for
bulk responses, response pages/questions/answers by question, choice and row ids, custom
variables, and SurveyMonkey's error body (`{"error": {"id", "name", "docs", "message",
"http_status_code"}}`). Rating questions carry choice `weight`s, which are the scores.
Responses and contacts can be deleted (`DELETE /v3/surveys/{id}/responses/{id}`,
`DELETE /v3/contacts/{id}`): they are gone from every later read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.activity import ResponseSpec, survey_contact, survey_responses
from simulators.faults import FaultState, SimulatorGate, bearer_token
from simulators.surveys import CUSTOMER_ID_VARIABLE, SURVEY_BY_ID, SURVEYS, Survey
from simulators.webhooks import WebhookTarget
from simulators.world import World

API = "https://api.surveymonkey.com/v3"
DOCS = "https://developer.surveymonkey.com/api/v3/#error-codes"
MAX_BULK_PER_PAGE = 100
MAX_PER_PAGE = 1000
T = TypeVar("T")
# Ids of the responses added through `POST /sim/responses` start above the seeded ones.
ADDED_RESPONSE_BASE = 9_000_000_000


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def surveymonkey_error(status: int, error_id: str, name: str, message: str) -> Response:
    """SurveyMonkey's error body."""
    body = {
        "error": {
            "id": error_id,
            "name": name,
            "docs": DOCS,
            "message": message,
            "http_status_code": status,
        }
    }
    return _json(body, status)


class SurveyMonkeyDialect:
    """SurveyMonkey's auth header and error bodies."""

    header_auth = True

    def token(self, request: Request) -> str | None:
        return bearer_token(request)

    def unauthorized(self) -> Response:
        return surveymonkey_error(
            401,
            "1011",
            "Authorization Error",
            "The authorization token was not provided or is invalid.",
        )

    def rate_limited(self, retry_after: int) -> Response:
        response = surveymonkey_error(
            429, "1040", "Rate Limit Reached", "Too many requests were made, try again later."
        )
        response.headers["Retry-After"] = str(retry_after)
        response.headers["X-Ratelimit-App-Global-Minute-Remaining"] = "0"
        response.headers["X-Ratelimit-App-Global-Minute-Reset"] = str(retry_after)
        return response

    def server_error(self, status: int) -> Response:
        if status == 503:
            return surveymonkey_error(
                503, "1052", "Service Unavailable", "The service is temporarily unavailable."
            )
        return surveymonkey_error(
            status, "1050", "Internal Server Error", "Oh bananas! We couldn't process your request."
        )


def _survey_summary(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.survey_id,
        "title": survey.title,
        "nickname": survey.nickname,
        "href": f"{API}/surveys/{survey.survey_id}",
    }


def _details(survey: Survey, response_count: int | None) -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    page_href = f"{API}/surveys/{survey.survey_id}/pages/{survey.page_id}"
    for position, question in enumerate(survey.questions, start=1):
        choices = []
        for choice_position, score in enumerate(range(question.low, question.high + 1), start=1):
            label = str(score)
            if score == question.low:
                label = f"{score} - {question.low_label}"
            elif score == question.high:
                label = f"{score} - {question.high_label}"
            choices.append(
                {
                    "id": question.choice_id(score),
                    "text": label,
                    "position": choice_position,
                    "visible": True,
                    "weight": score,
                    "is_na": False,
                }
            )
        questions.append(
            {
                "id": question.question_id,
                "position": position,
                "visible": True,
                "family": "matrix",
                "subtype": "rating",
                "layout": None,
                "sorting": None,
                "required": {
                    "text": "This question requires an answer.",
                    "type": "all",
                    "amount": "0",
                },
                "validation": None,
                "forced_ranking": False,
                "headings": [{"heading": question.heading}],
                "href": f"{page_href}/questions/{question.question_id}",
                "answers": {
                    "rows": [{"id": question.row_id, "text": "", "position": 1, "visible": True}],
                    "choices": choices,
                },
            }
        )
    questions.append(
        {
            "id": survey.comment_question_id,
            "position": len(questions) + 1,
            "visible": True,
            "family": "open_ended",
            "subtype": "essay",
            "required": None,
            "headings": [{"heading": "Is there anything else you would like to tell us?"}],
            "href": f"{page_href}/questions/{survey.comment_question_id}",
        }
    )
    return {
        **_survey_summary(survey),
        "language": "en",
        "category": "customer_feedback",
        "question_count": len(questions),
        "page_count": 1,
        "response_count": response_count,
        "date_created": "2020-03-02T09:00:00+00:00",
        "date_modified": "2024-01-15T10:30:00+00:00",
        "custom_variables": {CUSTOMER_ID_VARIABLE: "Customer id"},
        "buttons_text": {
            "next_button": "Next",
            "prev_button": "Prev",
            "done_button": "Done",
            "exit_button": "",
        },
        "preview": f"https://www.surveymonkey.com/r/Preview/?sm={survey.survey_id}",
        "pages": [
            {
                "id": survey.page_id,
                "title": "",
                "description": "",
                "position": 1,
                "question_count": len(questions),
                "href": f"{API}/surveys/{survey.survey_id}/pages/{survey.page_id}",
                "questions": questions,
            }
        ],
    }


def _response_body(spec: ResponseSpec) -> dict[str, Any]:
    survey = SURVEY_BY_ID[spec.survey_id]
    by_id = {q.question_id: q for q in survey.questions}
    answers: list[dict[str, Any]] = [
        {
            "id": question_id,
            "answers": [
                {
                    "choice_id": by_id[question_id].choice_id(score),
                    "row_id": by_id[question_id].row_id,
                }
            ],
        }
        for question_id, score in spec.scores
    ]
    if spec.comment:
        answers.append({"id": survey.comment_question_id, "answers": [{"text": spec.comment}]})
    metadata: dict[str, Any] = {}
    if spec.contact_id:
        metadata["contact"] = {
            "first_name": {"type": "string", "value": spec.first_name},
            "last_name": {"type": "string", "value": spec.last_name},
            "email": {"type": "string", "value": spec.email_address},
        }
    href = f"{API}/surveys/{spec.survey_id}/responses/{spec.response_id}"
    return {
        "id": str(spec.response_id),
        "recipient_id": spec.contact_id or "",
        "collection_mode": "default",
        "response_status": "completed",
        "custom_value": "",
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "email_address": spec.email_address,
        "ip_address": "",
        "logic_path": {},
        "metadata": metadata,
        "page_path": [],
        "collector_id": spec.collector_id,
        "survey_id": spec.survey_id,
        "custom_variables": {CUSTOMER_ID_VARIABLE: spec.customer_id} if spec.customer_id else {},
        "edit_url": f"https://www.surveymonkey.com/r/?sm={spec.response_id}",
        "analyze_url": f"https://www.surveymonkey.com/analyze/browse/{spec.survey_id}?respondent_id={spec.response_id}",
        "total_time": spec.total_time,
        "date_modified": _iso(spec.modified_at),
        "date_created": _iso(spec.created_at),
        "href": href,
        "pages": [{"id": survey.page_id, "questions": answers}],
    }


def _page_args(request: Request, maximum: int) -> tuple[int, int] | Response:
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", "50"))
    except ValueError:
        return surveymonkey_error(400, "1002", "Bad Request", "page and per_page must be integers.")
    if page < 1 or not 1 <= per_page <= maximum:
        return surveymonkey_error(
            400, "1002", "Bad Request", f"per_page must be between 1 and {maximum}."
        )
    return page, per_page


def _envelope(
    request: Request,
    items: Sequence[T],
    page: int,
    per_page: int,
    render: Callable[[T], Any] = lambda item: item,
) -> dict[str, Any]:
    """A SurveyMonkey list envelope; only the requested page is rendered."""
    total = len(items)
    base = f"{API}{request.url.path.removeprefix('/v3')}"
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return f"{base}?{urlencode({**params, 'page': number, 'per_page': per_page})}"

    last = max(1, -(-total // per_page))
    links = {"self": link(page), "last": link(last)}
    if page < last:
        links["next"] = link(page + 1)
    if page > 1:
        links["prev"] = link(page - 1)
    start = (page - 1) * per_page
    data = [render(item) for item in items[start : start + per_page]]
    return {"data": data, "per_page": per_page, "page": page, "total": total, "links": links}


def _parse_instant(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SurveyMonkeySimulator:
    """Indexes responses lazily: by survey (for bulk paging) and by respondent email."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._by_survey: dict[str, list[ResponseSpec]] | None = None
        self._by_email: dict[str, list[ResponseSpec]] | None = None
        self.deleted_responses: set[int] = set()
        self.deleted_contacts: set[str] = set()
        self.added: list[ResponseSpec] = []

    def _build(self) -> None:
        by_survey: dict[str, list[ResponseSpec]] = {s.survey_id: [] for s in SURVEYS}
        by_email: dict[str, list[ResponseSpec]] = {}
        for key in self.world.survey_members:
            for spec in survey_responses(self.world, self.world.people[key]):
                by_survey[spec.survey_id].append(spec)
                by_email.setdefault(spec.email_address.lower(), []).append(spec)
        for specs in by_survey.values():
            specs.sort(key=lambda s: (s.modified_at, s.response_id))
        self._by_survey, self._by_email = by_survey, by_email

    def responses(self, survey_id: str, email: str | None) -> list[ResponseSpec]:
        """The survey's responses (of `email` only, if given), oldest first, added ones last.

        Deleted ones are left out.
        """
        added = [
            s
            for s in self.added
            if s.survey_id == survey_id and (email is None or s.email_address == email.lower())
        ]
        found = self._world_responses(survey_id, email) + added
        if not self.deleted_responses:
            return found
        return [s for s in found if s.response_id not in self.deleted_responses]

    def response(self, survey_id: str, response_id: str) -> ResponseSpec | None:
        """One response by id (a scan: webhooks ask for a handful)."""
        for spec in self.responses(survey_id, None):
            if str(spec.response_id) == response_id:
                return spec
        return None

    def _world_responses(self, survey_id: str, email: str | None) -> list[ResponseSpec]:
        if email is not None and self._by_email is None:
            # An email lookup only needs that person's responses: avoid building the index.
            return self._responses_by_email_scan(survey_id, email.lower())
        if self._by_survey is None:
            self._build()
        assert self._by_survey is not None and self._by_email is not None
        if email is not None:
            return sorted(
                (s for s in self._by_email.get(email.lower(), []) if s.survey_id == survey_id),
                key=lambda s: (s.modified_at, s.response_id),
            )
        return self._by_survey.get(survey_id, [])

    def _responses_by_email_scan(self, survey_id: str, email: str) -> list[ResponseSpec]:
        found: list[ResponseSpec] = []
        for key in self.world.survey_members:
            person = self.world.people[key]
            if email not in person.emails:
                continue
            found.extend(
                s
                for s in survey_responses(self.world, person)
                if s.survey_id == survey_id and s.email_address.lower() == email
            )
        return sorted(found, key=lambda s: (s.modified_at, s.response_id))


def new_response(sim: SurveyMonkeySimulator, body: dict[str, Any]) -> ResponseSpec:
    """A response completed now from `{"email", "nps", "survey_id"?, "customer_id"?, ...}`."""
    survey = SURVEY_BY_ID[str(body.get("survey_id") or SURVEYS[0].survey_id)]
    question = survey.questions[0]
    score = int(body["nps"])
    if not question.low <= score <= question.high:
        raise ValueError("score out of range")
    now = datetime.now(UTC).replace(microsecond=0)
    contact_id = body.get("contact_id")
    return ResponseSpec(
        response_id=ADDED_RESPONSE_BASE + len(sim.added) + 1,
        survey_id=survey.survey_id,
        collector_id=survey.email_collector_id if contact_id else survey.weblink_collector_id,
        collection_mode="email" if contact_id else "weblink",
        contact_id=str(contact_id) if contact_id else None,
        email_address=str(body["email"]).lower(),
        first_name=str(body.get("first_name", "")),
        last_name=str(body.get("last_name", "")),
        customer_id=body.get("customer_id"),
        scores=((question.question_id, score),),
        comment=body.get("comment"),
        created_at=now,
        modified_at=now,
        total_time=60,
    )


def create_surveymonkey_app(world: World, faults: FaultState, token: str) -> Starlette:
    """The SurveyMonkey simulator app."""
    gate = SimulatorGate(SurveyMonkeyDialect(), faults, token)
    sim = SurveyMonkeySimulator(world)

    async def me(_request: Request) -> Response:
        return _json(
            {
                "id": "100000001",
                "username": "c360-demo",
                "first_name": "C360",
                "last_name": "Demo",
                "account_type": "enterprise",
                "language": "en",
                "email": "surveys@c360.example",
                "href": f"{API}/users/me",
            }
        )

    async def surveys(request: Request) -> Response:
        args = _page_args(request, MAX_PER_PAGE)
        if isinstance(args, Response):
            return args
        return _json(_envelope(request, [_survey_summary(s) for s in SURVEYS], *args))

    def survey_of(request: Request) -> Survey | None:
        return SURVEY_BY_ID.get(request.path_params["survey_id"])

    def not_found(what: str) -> Response:
        return surveymonkey_error(
            404,
            "1020",
            "Resource Not Found",
            f"There was an error retrieving the requested resource: {what}.",
        )

    async def survey(request: Request) -> Response:
        found = survey_of(request)
        return not_found("survey") if found is None else _json(_survey_summary(found))

    async def details(request: Request) -> Response:
        found = survey_of(request)
        if found is None:
            return not_found("survey")
        return _json(_details(found, None))

    async def bulk(request: Request) -> Response:
        found = survey_of(request)
        if found is None:
            return not_found("survey")
        args = _page_args(request, MAX_BULK_PER_PAGE)
        if isinstance(args, Response):
            return args
        query = request.query_params
        try:
            start = (
                _parse_instant(query["start_modified_at"]) if "start_modified_at" in query else None
            )
            end = _parse_instant(query["end_modified_at"]) if "end_modified_at" in query else None
        except ValueError:
            return surveymonkey_error(400, "1002", "Bad Request", "Invalid date format.")
        specs = sim.responses(found.survey_id, query.get("email"))
        if start is not None:
            specs = [s for s in specs if s.modified_at >= start]
        if end is not None:
            specs = [s for s in specs if s.modified_at < end]
        status = query.get("status")
        if status not in (None, "completed"):
            specs = []
        if query.get("sort_order", "ASC").upper() == "DESC":
            specs = list(reversed(specs))
        return _json(_envelope(request, specs, *args, render=_response_body))

    async def contact(request: Request) -> Response:
        contact_id = request.path_params["contact_id"]
        person = world.surveymonkey_contact(contact_id)
        spec = survey_contact(world, person) if person else None
        if spec is None or contact_id in sim.deleted_contacts:
            return not_found("contact")
        if request.method == "DELETE":
            sim.deleted_contacts.add(contact_id)
            return _json({"id": contact_id, "href": f"{API}/contacts/{contact_id}"})
        return _json(
            {
                "id": spec.contact_id,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
                "phone_number": spec.phone or "",
                "custom_fields": {"1": "", "2": "", "3": "", "4": "", "5": "", "6": ""},
                "href": f"{API}/contacts/{spec.contact_id}",
            }
        )

    async def delete_response(request: Request) -> Response:
        found = survey_of(request)
        raw_id = request.path_params["response_id"]
        if found is None or not raw_id.isdigit():
            return not_found("response")
        response_id = int(raw_id)
        specs = [s for s in sim.responses(found.survey_id, None) if s.response_id == response_id]
        if not specs:
            return not_found("response")
        sim.deleted_responses.add(response_id)
        return _json(_response_body(specs[0]))

    async def response_details(request: Request) -> Response:
        found = survey_of(request)
        spec = sim.response(found.survey_id, request.path_params["response_id"]) if found else None
        return not_found("response") if spec is None else _json(_response_body(spec))

    async def submit(request: Request) -> Response:
        """Simulator control (not SurveyMonkey's API): a respondent completes a survey now."""
        try:
            body = orjson.loads(await request.body())
            spec = new_response(sim, body)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return surveymonkey_error(400, "1002", "Bad Request", "Invalid response.")
        sim.added.append(spec)
        target: WebhookTarget | None = app.state.webhook
        if target is not None:
            await target.send_response_completed(spec)
        return _json(_response_body(spec), status=201)

    app = Starlette(
        routes=[
            Route("/v3/users/me", gate.guard(me), methods=["GET"]),
            Route(
                "/v3/surveys/{survey_id}/responses/{response_id}/details",
                gate.guard(response_details),
                methods=["GET"],
            ),
            Route("/sim/responses", gate.guard(submit), methods=["POST"]),
            Route("/v3/surveys", gate.guard(surveys), methods=["GET"]),
            Route("/v3/surveys/{survey_id}", gate.guard(survey), methods=["GET"]),
            Route("/v3/surveys/{survey_id}/details", gate.guard(details), methods=["GET"]),
            Route("/v3/surveys/{survey_id}/responses/bulk", gate.guard(bulk), methods=["GET"]),
            Route(
                "/v3/surveys/{survey_id}/responses/{response_id}",
                gate.guard(delete_response),
                methods=["DELETE"],
            ),
            Route("/v3/contacts/{contact_id}", gate.guard(contact), methods=["GET", "DELETE"]),
        ]
    )
    app.state.gate = gate
    app.state.faults = faults
    app.state.simulator = sim
    app.state.webhook = None
    return app
