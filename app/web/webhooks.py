"""The webhook endpoints: raw body in, a JSON summary out; refusals are 4xx/503, never 500."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.customers.change_actor import acting_as
from app.webhooks import hubspot, surveymonkey, zendesk
from app.webhooks.outcome import WebhookRefused


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


async def surveymonkey_webhook(request: Request) -> Response:
    """SurveyMonkey's response events (`Sm-Signature`)."""
    state = request.app.state
    try:
        with acting_as("webhook:surveymonkey", request.state.request_id):
            outcome = await surveymonkey.handle(
                state.db, state.graph, state.settings, await _body(request), request.headers
            )
    except WebhookRefused as error:
        return _refused(error)
    return JSONResponse(outcome.as_json())


async def hubspot_webhook(request: Request) -> Response:
    """HubSpot's CRM object events (`X-HubSpot-Signature-v3`)."""
    state = request.app.state
    public = state.settings.webhook_public_url
    uri = str(request.url)
    if public:
        # Behind a proxy the URL HubSpot signed is the public one, not the one we see.
        query = f"?{request.url.query}" if request.url.query else ""
        uri = f"{public.rstrip('/')}{request.url.path}{query}"
    try:
        outcome = await hubspot.handle(
            state.db,
            state.graph,
            state.settings,
            method=request.method,
            uri=uri,
            body=await _body(request),
            headers=request.headers,
        )
    except WebhookRefused as error:
        return _refused(error)
    return JSONResponse(outcome.as_json())


async def zendesk_webhook(request: Request) -> Response:
    """Zendesk's ticket events (`X-Zendesk-Webhook-Signature`)."""
    state = request.app.state
    try:
        with acting_as("webhook:zendesk", request.state.request_id):
            outcome = await zendesk.handle(
                state.db,
                state.graph,
                state.settings,
                body=await _body(request),
                headers=request.headers,
            )
    except WebhookRefused as error:
        return _refused(error)
    return JSONResponse(outcome.as_json())
