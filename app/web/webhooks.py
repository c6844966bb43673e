"""The webhook endpoints: raw body in, a JSON summary out; refusals are 4xx/503, never 500."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.customers.change_actor import acting_as
from app.webhooks import hubspot, surveymonkey, zendesk
from app.webhooks.outcome import Outcome, WebhookRefused
from app.webhooks.systems import WebhookSource


async def _body(request: Request) -> bytes:
    limit = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise WebhookRefused(413, "body too large")
    body = await request.body()
    if len(body) > limit:
        raise WebhookRefused(413, "body too large")
    return body


def _refused(error: WebhookRefused) -> Response:
    return JSONResponse({"error": error.reason}, status_code=error.status)


async def source_webhook(request: Request) -> Response:
    """`/webhooks/<system name>`: that system's events, read as its vendor sends them
    (SurveyMonkey's `Sm-Signature`, HubSpot's `X-HubSpot-Signature-v3`, Zendesk's
    `X-Zendesk-Webhook-Signature`; `app/webhooks/systems.py` says which system sends which)."""
    state = request.app.state
    source: WebhookSource | None = state.webhook_sources.get(request.path_params["system"])
    try:
        if source is None:
            raise WebhookRefused(404, "no webhook is configured for this system")
        with acting_as(f"webhook:{source.system}", request.state.request_id):
            outcome = await _handle(request, source, await _body(request))
    except WebhookRefused as error:
        return _refused(error)
    return JSONResponse(outcome.as_json())


async def _handle(request: Request, source: WebhookSource, body: bytes) -> Outcome:
    state = request.app.state
    db, graph, settings = state.db, state.graph, state.settings
    if source.format == "surveymonkey":
        return await surveymonkey.handle(db, graph, settings, source, body, request.headers)
    if source.format == "zendesk":
        return await zendesk.handle(db, graph, settings, source, body=body, headers=request.headers)
    uri = str(request.url)
    public = settings.webhook_public_url
    if public:
        # Behind a proxy the URL HubSpot signed is the public one, not the one we see.
        query = f"?{request.url.query}" if request.url.query else ""
        uri = f"{public.rstrip('/')}{request.url.path}{query}"
    return await hubspot.handle(
        db,
        graph,
        settings,
        source,
        method=request.method,
        uri=uri,
        body=body,
        headers=request.headers,
    )
