"""SurveyMonkey connector: surveys and responses with NPS / CSAT / CES resolved by config.

Auth is a bearer token. Which question is NPS (0-10), CSAT (1-5) or CES (1-7) is
configuration (`mapping.*_question_ids`), never code; the score of an answer is the chosen
choice's `weight` from the survey details (falling back to the number in its text), so
re-labelled choices keep working. A response is linked to a customer by the custom variable
carrying the gateway's customer id, by `email_address`, or by the survey tool's contact.

`fetch_responses` is keyed by SurveyMonkey contact id: it reads each contact's email, then
asks `responses/bulk?email=` of each configured survey. Responses without a contact or
email (anonymous web links) reach the gateway through `iter_changes` instead.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from connectors.base import SourceHealth
from connectors.config import ConnectorSettings
from connectors.errors import RequestRejectedError
from connectors.fanout import gather_or_raise
from connectors.health import probe
from connectors.http import SourceClient
from connectors.pooled import PooledConnector
from connectors.records import (
    Capability,
    SourceChange,
    SurveyInfo,
    SurveyResponse,
)
from connectors.surveymonkey.mapping import SurveyMonkeyMapping
from connectors.system_type import SystemType
from connectors.wire import as_dict, as_list, expect_shape, iso_datetime, text

_LEADING_NUMBER = re.compile(r"^\s*(\d+)")
_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


@dataclass(frozen=True, slots=True)
class QuestionMap:
    """What the details of one survey say: its title and the score of each choice."""

    title: str
    choice_scores: dict[str, dict[str, int]]  # question id -> choice id -> score


class SurveyMonkeyConnector(PooledConnector):
    """Survey connector for SurveyMonkey's API v3."""

    capabilities = frozenset({Capability.SURVEY_RESPONSES, Capability.CHANGES, Capability.ERASURE})

    def __init__(
        self, system_type: SystemType, settings: ConnectorSettings, client: SourceClient
    ) -> None:
        if not isinstance(settings.mapping, SurveyMonkeyMapping):
            raise TypeError("SurveyMonkeyConnector needs a surveymonkey mapping")
        super().__init__(system_type, settings, client)
        self.mapping = settings.mapping
        self._metric_of: dict[str, str] = {}
        for metric, ids in (
            ("nps", self.mapping.nps_question_ids),
            ("csat", self.mapping.csat_question_ids),
            ("ces", self.mapping.ces_question_ids),
        ):
            self._metric_of.update(dict.fromkeys(ids, metric))
        # Survey structure (not customer data) is read once: question ids do not move.
        self._questions: dict[str, QuestionMap] = {}
        self._questions_lock = asyncio.Lock()

    # ---- pagination ----
    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[list[Any]]:
        """Each page's `data`, following `links.next` (SurveyMonkey's page/per_page paging)."""
        params = dict(params)
        while True:
            page = await self.client.get(path, params=params)
            with expect_shape(self.system, f"{path} page"):
                page = as_dict(page)
                data = as_list(page["data"])
                next_link = text(as_dict(page.get("links") or {}).get("next"))
            yield data
            if not next_link or not data:
                return
            params = dict(parse_qsl(urlsplit(next_link).query))

    # ---- surveys ----
    async def list_surveys(self) -> list[SurveyInfo]:
        """The surveys of the account."""
        surveys: list[SurveyInfo] = []
        async for data in self._pages("/v3/surveys", {"per_page": 1000, "page": 1}):
            with expect_shape(self.system, "survey"):
                surveys.extend(
                    SurveyInfo(self.system, str(as_dict(s)["id"]), str(as_dict(s)["title"]))
                    for s in data
                )
        return surveys

    async def _survey_ids(self) -> list[str]:
        if self.mapping.survey_ids:
            return list(self.mapping.survey_ids)
        return [s.external_id for s in await self.list_surveys()]

    async def _question_map(self, survey_id: str) -> QuestionMap:
        if survey_id in self._questions:
            return self._questions[survey_id]
        async with self._questions_lock:
            if survey_id not in self._questions:
                details = await self.client.get(f"/v3/surveys/{survey_id}/details")
                with expect_shape(self.system, "survey details"):
                    self._questions[survey_id] = self._parse_details(as_dict(details))
        return self._questions[survey_id]

    def _parse_details(self, details: dict[str, Any]) -> QuestionMap:
        scores: dict[str, dict[str, int]] = {}
        for page in as_list(details.get("pages", [])):
            for question in as_list(as_dict(page).get("questions", [])):
                question = as_dict(question)
                question_id = str(question["id"])
                if question_id not in self._metric_of:
                    continue
                choices = as_list(as_dict(question.get("answers") or {}).get("choices", []))
                by_choice: dict[str, int] = {}
                for choice in choices:
                    choice = as_dict(choice)
                    score = choice.get("weight")
                    if not isinstance(score, int) or isinstance(score, bool):
                        match = _LEADING_NUMBER.match(str(choice.get("text", "")))
                        score = int(match.group(1)) if match else None
                    if score is not None:
                        by_choice[str(choice["id"])] = score
                scores[question_id] = by_choice
        return QuestionMap(str(details.get("title") or ""), scores)

    # ---- responses ----
    def _response(self, item: dict[str, Any], questions: QuestionMap) -> SurveyResponse:
        metrics: dict[str, int | None] = {"nps": None, "csat": None, "ces": None}
        comment = None
        comment_ids = set(self.mapping.comment_question_ids)
        for page in as_list(item.get("pages", [])):
            for question in as_list(as_dict(page).get("questions", [])):
                question = as_dict(question)
                question_id = str(question["id"])
                answers = [as_dict(a) for a in as_list(question.get("answers", []))]
                metric = self._metric_of.get(question_id)
                if metric is not None and answers:
                    score = questions.choice_scores.get(question_id, {}).get(
                        str(answers[0].get("choice_id"))
                    )
                    low, high = _RANGES[metric]
                    metrics[metric] = score if score is not None and low <= score <= high else None
                elif question_id in comment_ids and answers:
                    comment = text(answers[0].get("text"))
        variables = item.get("custom_variables") or {}
        contact_id = text(item.get("recipient_id"))
        metadata_contact = as_dict(as_dict(item.get("metadata") or {}).get("contact") or {})
        metadata_email = as_dict(metadata_contact.get("email") or {}).get("value")
        email = text(item.get("email_address")) or text(metadata_email)
        return SurveyResponse(
            system=self.system,
            external_id=str(item["id"]),
            survey_id=str(item["survey_id"]),
            survey_title=questions.title or None,
            collector_id=text(item.get("collector_id")),
            contact_external_id=contact_id,
            respondent_email=email.lower() if email else None,
            customer_id=text(as_dict(variables).get(self.mapping.customer_id_variable)),
            submitted_at=iso_datetime(item.get("date_created")),
            updated_at=iso_datetime(item.get("date_modified")),
            nps=metrics["nps"],
            csat=metrics["csat"],
            ces=metrics["ces"],
            comment=comment,
            status=text(item.get("response_status")),
        )

    async def _responses(self, survey_id: str, params: dict[str, Any]) -> list[SurveyResponse]:
        questions = await self._question_map(survey_id)
        responses: list[SurveyResponse] = []
        query = {"per_page": self.mapping.page_size, "page": 1, "status": "completed", **params}
        async for data in self._pages(f"/v3/surveys/{survey_id}/responses/bulk", query):
            with expect_shape(self.system, "response"):
                responses.extend(self._response(as_dict(item), questions) for item in data)
        return responses

    async def _contact_email(self, contact_id: str) -> str | None:
        try:
            contact = await self.client.get(f"/v3/contacts/{contact_id}")
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return None
            raise
        with expect_shape(self.system, "contact"):
            email = text(as_dict(contact).get("email"))
        return email.lower() if email else None

    async def fetch_responses(self, contact_ids: Sequence[str]) -> dict[str, list[SurveyResponse]]:
        """Completed responses, newest first, by SurveyMonkey contact id."""
        unique = list(dict.fromkeys(i for i in contact_ids if i))
        emails = await gather_or_raise(self._contact_email(i) for i in unique)
        known = [(cid, email) for cid, email in zip(unique, emails, strict=True) if email]
        survey_ids = await self._survey_ids()
        calls = [(cid, sid, email) for cid, email in known for sid in survey_ids]
        pages = await gather_or_raise(
            self._responses(sid, {"email": email}) for _, sid, email in calls
        )
        result: dict[str, list[SurveyResponse]] = {}
        for (contact_id, _, _), responses in zip(calls, pages, strict=True):
            result.setdefault(contact_id, []).extend(responses)
        epoch = datetime.min.replace(tzinfo=UTC)
        return {
            cid: sorted(items, key=lambda r: r.submitted_at or epoch, reverse=True)
            for cid, items in result.items()
            if items
        }

    # ---- erasure ----
    async def _delete(self, path: str) -> bool:
        """DELETE `path`; False when it was already gone (404). Deleting twice is harmless."""
        try:
            await self.client.request("DELETE", path, idempotent=True)
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return False
            raise
        return True

    async def erase_subject(self, external_id: str) -> bool:
        """Delete every response of the contact's email (any status), then the contact."""
        email = await self._contact_email(external_id)
        if email is None:
            return False
        for survey_id in await self._survey_ids():
            path = f"/v3/surveys/{survey_id}/responses/bulk"
            found: list[str] = []
            query = {"per_page": self.mapping.page_size, "page": 1, "email": email}
            async for data in self._pages(path, query):
                with expect_shape(self.system, "response"):
                    found.extend(str(as_dict(item)["id"]) for item in data)
            for response_id in found:
                await self._delete(f"/v3/surveys/{survey_id}/responses/{response_id}")
        await self._delete(f"/v3/contacts/{external_id}")
        return True

    async def fetch_response(self, survey_id: str, response_id: str) -> SurveyResponse | None:
        """One response with its answers (what a webhook names), or None if it is gone."""
        questions = await self._question_map(survey_id)
        try:
            item = await self.client.get(f"/v3/surveys/{survey_id}/responses/{response_id}/details")
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return None
            raise
        with expect_shape(self.system, "response"):
            return self._response(as_dict(item), questions)

    # ---- sync and health ----
    async def iter_changes(self, since: datetime) -> AsyncIterator[SourceChange]:
        """Responses modified at or after `since`, survey by survey, oldest first."""
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        for survey_id in await self._survey_ids():
            questions = await self._question_map(survey_id)
            query = {
                "per_page": self.mapping.page_size,
                "page": 1,
                "status": "completed",
                "start_modified_at": stamp,
                "sort_by": "date_modified",
                "sort_order": "ASC",
            }
            async for data in self._pages(f"/v3/surveys/{survey_id}/responses/bulk", query):
                with expect_shape(self.system, "response"):
                    responses = [self._response(as_dict(item), questions) for item in data]
                for response in responses:
                    yield SourceChange(
                        self.system,
                        "survey_response",
                        response.external_id,
                        response.updated_at,
                        response,
                    )

    async def health(self) -> SourceHealth:
        """One authenticated, cheap call: who am I."""

        async def call() -> object:
            return await self.client.get("/v3/users/me")

        return await probe(self.system, call)
