"""`/webhooks/<a SurveyMonkey system>`: a completed survey response becomes the customer's
latest answer.

SurveyMonkey's event names the response (`object_id`) and its survey, not the answers, so
the response is read back through the connector. The respondent is linked by, in order: the
crosswalk (surveymonkey contact id), the gateway's customer id in the invitation's custom
variables, then a unique email match; a deterministic match also links the contact. An
unknown respondent is queued for a steward. A new NPS answer is recorded as `nps` (if newer
than the stored one), then the customer's cache is dropped and metrics recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from starlette.datastructures import Headers

from app.events.kinds import EventKind
from app.graph import CustomerGraph
from app.metrics import names
from app.metrics.recompute import refresh_customers
from app.metrics.surveys import nps_category
from app.settings import Settings
from app.store.db import Database
from app.store.models import LinkMethod, MetricObservation, SourceLink
from app.store.repositories import customers as customer_repo
from app.store.repositories import timelines
from app.store.repositories import webhooks as repo
from app.store.types import utcnow
from app.webhooks.delivery import (
    already_processed,
    commit_event,
    queue_unmatched,
)
from app.webhooks.outcome import EventResult, Outcome, WebhookRefused
from app.webhooks.systems import WebhookSource
from connectors.errors import ConnectorError
from connectors.records import SurveyResponse
from connectors.webhook_signatures import (
    SURVEYMONKEY_SIGNATURE,
    signatures_match,
    surveymonkey_signature,
)

RESPONSE_EVENTS = frozenset({"response_completed", "response_updated"})


@dataclass(frozen=True, slots=True)
class SurveyEvent:
    event_id: str
    event_type: str
    survey_id: str | None
    response_id: str | None


def verify(source: WebhookSource, body: bytes, headers: Headers) -> None:
    """Refuse (401) a body whose `Sm-Signature` is not ours; 404 when not configured."""
    secret, client_id = source.secret, source.client_id
    if secret is None or client_id is None:
        raise WebhookRefused(404, "the SurveyMonkey webhook is not configured")
    expected = surveymonkey_signature(
        body, client_id=client_id, client_secret=secret.get_secret_value()
    )
    if not signatures_match(expected, headers.get(SURVEYMONKEY_SIGNATURE)):
        raise WebhookRefused(401, "bad signature")


def parse(body: bytes) -> SurveyEvent:
    """The event, or 400 for anything that is not one."""
    try:
        data = orjson.loads(body)
        event_id, event_type = str(data["event_id"]), str(data["event_type"])
        resources = data.get("resources") or {}
        survey_id = resources.get("survey_id") or data.get("filter_id")
        response_id = data.get("object_id") if data.get("object_type") == "response" else None
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise WebhookRefused(400, "not a SurveyMonkey event") from None
    if not event_id or len(event_id) > 128:
        raise WebhookRefused(400, "bad event id")
    return SurveyEvent(
        event_id,
        event_type,
        str(survey_id) if survey_id else None,
        str(response_id) if response_id else None,
    )


async def _link(db: Database, system: str, response: SurveyResponse) -> tuple[str | None, bool]:
    """(customer id, whether the contact must be linked) for the respondent."""
    async with db.session() as session:
        if response.contact_external_id:
            linked = await customer_repo.customer_id_by_source(
                session, system=system, external_id=response.contact_external_id
            )
            if linked is not None:
                survivors = await customer_repo.resolve_survivors(session, ids=[linked])
                return (survivors[linked].id if linked in survivors else None), False
        if response.customer_id:
            survivors = await customer_repo.resolve_survivors(session, ids=[response.customer_id])
            if response.customer_id in survivors:
                return survivors[response.customer_id].id, bool(response.contact_external_id)
        if response.respondent_email:
            found = await repo.customer_ids_by_email(session, email=response.respondent_email)
            if len(found) == 1:
                return found[0], bool(response.contact_external_id)
    return None, False


async def _is_newer(db: Database, customer_id: str, answered_at: datetime) -> bool:
    async with db.session() as session:
        latest = await timelines.metric_values_by_customer(
            session, customer_ids=[customer_id], keep=1
        )
    for row in latest.get(customer_id, []):
        if row.name == names.NPS:
            stored = (row.details or {}).get("answered_at")
            return stored is None or datetime.fromisoformat(stored) < answered_at
    return True


async def _rows(
    db: Database, system: str, customer_id: str, response: SurveyResponse, link: bool
) -> list[Any]:
    rows: list[Any] = []
    if link and response.contact_external_id:
        rows.append(
            SourceLink(
                customer_id=customer_id,
                system=system,
                external_id=response.contact_external_id,
                method=LinkMethod.DETERMINISTIC,
            )
        )
    at = response.submitted_at
    if response.nps is not None and at is not None and await _is_newer(db, customer_id, at):
        category = nps_category(response.nps).value
        rows.append(
            MetricObservation(
                customer_id=customer_id,
                name=names.NPS,
                value=float(response.nps),
                observed_at=utcnow(),
                source=system,
                method=names.METHOD_NPS_LATEST,
                details={
                    "category": category,
                    "answered_at": at.isoformat(),
                    "response_id": response.external_id,
                },
            )
        )
    return rows


async def handle(
    db: Database,
    graph: CustomerGraph,
    settings: Settings,
    source: WebhookSource,
    body: bytes,
    headers: Headers,
) -> Outcome:
    """Verify, deduplicate, link, record, refresh: one SurveyMonkey delivery."""
    verify(source, body, headers)
    system = source.system
    event = parse(body)
    if await already_processed(db, system=system, event_id=event.event_id):
        return Outcome([EventResult.DUPLICATE])
    if event.event_type not in RESPONSE_EVENTS or not (event.survey_id and event.response_id):
        stored = await commit_event(db, system=system, event_id=event.event_id, customer_id=None)
        return Outcome([EventResult.IGNORED if stored else EventResult.DUPLICATE])
    connector = graph.connectors.get(system)
    if connector is None:
        raise WebhookRefused(503, "no SurveyMonkey connector is configured")
    try:
        response = await connector.fetch_response(event.survey_id, event.response_id)  # type: ignore[attr-defined]
    except ConnectorError:
        # SurveyMonkey retries a delivery that fails: the event is not marked processed.
        raise WebhookRefused(503, "SurveyMonkey did not answer") from None
    if response is None:
        stored = await commit_event(db, system=system, event_id=event.event_id, customer_id=None)
        return Outcome([EventResult.IGNORED if stored else EventResult.DUPLICATE])
    customer_id, link = await _link(db, system, response)
    if customer_id is None:
        details = {
            "survey_id": response.survey_id,
            "response_id": response.external_id,
            "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
            "nps": response.nps,
            "csat": response.csat,
            "ces": response.ces,
        }
        result = await queue_unmatched(
            db,
            system=system,
            event_id=event.event_id,
            external_id=response.contact_external_id or response.external_id,
            email=response.respondent_email,
            details=details,
        )
        return Outcome([result])
    rows = await _rows(db, system, customer_id, response, link)
    stored = await commit_event(
        db,
        system=system,
        event_id=event.event_id,
        customer_id=customer_id,
        rows=rows,
        change=(EventKind.SURVEY_ANSWERED, ["survey_responses"]),
    )
    if not stored:
        return Outcome([EventResult.DUPLICATE])
    await refresh_customers(db, graph, settings, [customer_id])
    return Outcome([EventResult.RECORDED])
