"""HubSpot simulator: CRM v3 objects, v4 associations and GDPR delete over the world.

Speaks the documented wire format: `Authorization: Bearer <private-app token>`, property
values as strings, `createdAt`/`updatedAt` ISO timestamps, batch reads of at most 100 inputs
answering 207 with `errors` when some ids are unknown, search with `filterGroups`/`sorts`/
`query` and `paging.next.after` (capped at 10,000 results like HubSpot), and HubSpot's error
body (`status`, `message`, `correlationId`, `category`). Reading one object with
`associations=tickets,calls,...` adds the ids of its associated objects of each listed type
(types without any are left out, as HubSpot does). GDPR delete really deletes: the contact,
and what hangs off it, is gone for this app instance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.activity import (
    CrmProfile,
    EngagementSpec,
    TicketSpec,
    crm_engagements,
    crm_profile,
    crm_tickets,
    hubspot_ordinal,
    split_object_id,
)
from simulators.faults import FaultState, SimulatorGate, bearer_token
from simulators.webhooks import HubSpotWebhookTarget
from simulators.world import HUBSPOT_CONTACT_BASE, World

BATCH_LIMIT = 100
SEARCH_PAGE_LIMIT = 200
SEARCH_RESULT_CAP = 10_000
DEFAULT_CONTACT_PROPERTIES = ("firstname", "lastname", "email")
ALWAYS_PROPERTIES = ("createdate", "hs_object_id", "lastmodifieddate")
ENGAGEMENT_TYPES = {"calls": "call", "emails": "email", "notes": "note", "meetings": "meeting"}
OBJECT_TYPE_ALIASES = {
    "contact": "contacts",
    "0-1": "contacts",
    "ticket": "tickets",
    "0-5": "tickets",
    "call": "calls",
    "0-48": "calls",
    "email": "emails",
    "0-49": "emails",
    "note": "notes",
    "0-46": "notes",
    "meeting": "meetings",
    "0-47": "meetings",
}
TICKET_TO_CONTACT = 16  # HubSpot's association type id, ticket -> contact
ASSOCIATION_TYPE_IDS = {"tickets": 15, "calls": 193, "emails": 197, "notes": 201, "meetings": 199}
SEARCHABLE = ("firstname", "lastname", "email", "phone", "mobilephone", "company")

Properties = dict[str, str | None]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def hubspot_error(status: int, message: str, category: str, **extra: Any) -> Response:
    """HubSpot's error body."""
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return _json(body, status)


class HubSpotDialect:
    """HubSpot's auth header and error bodies."""

    header_auth = True

    def token(self, request: Request) -> str | None:
        return bearer_token(request)

    def unauthorized(self) -> Response:
        return hubspot_error(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION",
        )

    def rate_limited(self, retry_after: int) -> Response:
        response = hubspot_error(
            429,
            "You have reached your ten_secondly_rolling limit.",
            "RATE_LIMITS",
            errorType="RATE_LIMIT",
            policyName="TEN_SECONDLY_ROLLING",
        )
        response.headers["Retry-After"] = str(retry_after)
        return response

    def server_error(self, status: int) -> Response:
        return hubspot_error(status, "internal error", "INTERNAL_ERROR")


def _contact_properties(profile: CrmProfile) -> Properties:
    def s(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "hs_object_id": profile.contact_id,
        "firstname": profile.firstname,
        "lastname": profile.lastname,
        "email": profile.email,
        "phone": profile.phone,
        "mobilephone": profile.mobilephone,
        "company": profile.company,
        "address": profile.address,
        "city": profile.city,
        "zip": profile.zip,
        "state": profile.state,
        "country": profile.country,
        "lifecyclestage": profile.lifecyclestage,
        "hubspot_owner_id": profile.owner_id,
        "date_of_birth": s(profile.date_of_birth),
        "hs_email_delivered": str(profile.email_delivered),
        "hs_email_open": str(profile.email_opens),
        "hs_email_click": str(profile.email_clicks),
        "hs_email_last_open_date": _iso(profile.last_open_at),
        "createdate": _iso(profile.created_at),
        "lastmodifieddate": _iso(profile.updated_at),
        "hs_analytics_source": profile.analytics_source,
        "hs_analytics_source_data_1": profile.analytics_source_data_1,
        "hs_lifecyclestage_customer_date": _iso(profile.customer_since),
    }


def _ticket_properties(ticket: TicketSpec) -> Properties:
    return {
        "hs_object_id": str(ticket.ticket_id),
        "subject": ticket.subject,
        "content": ticket.content,
        "hs_pipeline": "0",
        "hs_pipeline_stage": ticket.pipeline_stage,
        "hs_ticket_priority": ticket.priority,
        "hs_ticket_category": ticket.category,
        "createdate": _iso(ticket.created_at),
        "closed_date": _iso(ticket.closed_at),
        "hs_lastmodifieddate": _iso(ticket.updated_at),
    }


def _engagement_properties(item: EngagementSpec) -> Properties:
    common: Properties = {
        "hs_object_id": str(item.engagement_id),
        "hs_timestamp": _iso(item.occurred_at),
        "hs_createdate": _iso(item.occurred_at),
        "hs_lastmodifieddate": _iso(item.updated_at),
    }
    duration = None if item.duration_ms is None else str(item.duration_ms)
    if item.kind == "call":
        specific: Properties = {
            "hs_call_title": item.title,
            "hs_call_body": item.body,
            "hs_call_direction": item.direction,
            "hs_call_status": item.status,
            "hs_call_duration": duration,
        }
    elif item.kind == "email":
        specific = {
            "hs_email_subject": item.title,
            "hs_email_text": item.body,
            "hs_email_direction": item.direction,
            "hs_email_status": item.status,
        }
    elif item.kind == "note":
        specific = {"hs_note_body": item.body}
    else:
        end = None
        if item.occurred_at and item.duration_ms:
            end = datetime.fromtimestamp(
                item.occurred_at.timestamp() + item.duration_ms / 1000, UTC
            )
        specific = {
            "hs_meeting_title": item.title,
            "hs_meeting_body": item.body,
            "hs_meeting_start_time": _iso(item.occurred_at),
            "hs_meeting_end_time": _iso(end),
            "hs_meeting_outcome": item.status,
        }
    return {**common, **specific}


class HubSpotSimulator:
    """Serves CRM objects derived from the world; keeps GDPR deletions for this instance."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.deleted: set[str] = set()
        self._by_email: dict[str, str] | None = None
        self._search_rows: list[tuple[str, str, Properties]] | None = None

    # ---- objects ----
    def contact(self, contact_id: str) -> CrmProfile | None:
        if contact_id in self.deleted:
            return None
        found = self.world.hubspot_contact(contact_id)
        if found is None:
            return None
        person, variant = found
        return crm_profile(self.world, person, contact_id, variant)

    def _owner(self, object_id: str) -> tuple[str, int] | None:
        """(contact id, index) owning an activity id, if it is a live contact's."""
        if not object_id.isdigit():
            return None
        ordinal, index = split_object_id(int(object_id))
        if not 0 <= ordinal < len(self.world.hubspot_contacts):
            return None
        contact_id = str(HUBSPOT_CONTACT_BASE + ordinal)
        return None if contact_id in self.deleted else (contact_id, index)

    def ticket_owner(self, ticket_id: str) -> str | None:
        """The contact a ticket belongs to, if the ticket exists."""
        owner = self._owner(ticket_id)
        if owner is None:
            return None
        contact_id, index = owner
        return contact_id if index < len(self.tickets_of(contact_id)) else None

    def tickets_of(self, contact_id: str) -> tuple[TicketSpec, ...]:
        found = None if contact_id in self.deleted else self.world.hubspot_contact(contact_id)
        if found is None:
            return ()
        person, variant = found
        return crm_tickets(self.world, person, hubspot_ordinal(contact_id), variant)

    def engagements_of(self, contact_id: str, kind: str) -> tuple[EngagementSpec, ...]:
        found = None if contact_id in self.deleted else self.world.hubspot_contact(contact_id)
        if found is None:
            return ()
        person, variant = found
        return crm_engagements(self.world, person, hubspot_ordinal(contact_id), variant, kind)

    def linked_ids(self, contact_id: str, to_type: str) -> list[int]:
        """Ids of the `to_type` objects (tickets or an engagement type) of a contact."""
        if to_type == "tickets":
            return [t.ticket_id for t in self.tickets_of(contact_id)]
        return [e.engagement_id for e in self.engagements_of(contact_id, ENGAGEMENT_TYPES[to_type])]

    def object_record(
        self, object_type: str, object_id: str
    ) -> tuple[Properties, datetime, datetime] | None:
        """(properties, createdAt, updatedAt) of one object, if it exists."""
        if object_type == "contacts":
            profile = self.contact(object_id)
            if profile is None:
                return None
            return _contact_properties(profile), profile.created_at, profile.updated_at
        owner = self._owner(object_id)
        if owner is None:
            return None
        contact_id, index = owner
        if object_type == "tickets":
            tickets = self.tickets_of(contact_id)
            if index >= len(tickets):
                return None
            ticket = tickets[index]
            return _ticket_properties(ticket), ticket.created_at, ticket.updated_at
        items = self.engagements_of(contact_id, ENGAGEMENT_TYPES[object_type])
        if index >= len(items):
            return None
        item = items[index]
        return _engagement_properties(item), item.occurred_at, item.updated_at

    def email_index(self) -> dict[str, str]:
        """Lower-cased email -> contact id, built on first use (first contact wins)."""
        if self._by_email is None:
            index: dict[str, str] = {}
            for ordinal, (key, variant) in enumerate(self.world.hubspot_contacts):
                contact_id = str(HUBSPOT_CONTACT_BASE + ordinal)
                profile = crm_profile(self.world, self.world.people[key], contact_id, variant)
                if profile.email:
                    index.setdefault(profile.email.lower(), contact_id)
            self._by_email = index
        return self._by_email

    def search_rows(self) -> list[tuple[str, str, Properties]]:
        """(contact id, searchable text, properties) of every contact, built on first use."""
        if self._search_rows is None:
            rows = []
            for ordinal, (key, variant) in enumerate(self.world.hubspot_contacts):
                contact_id = str(HUBSPOT_CONTACT_BASE + ordinal)
                props = _contact_properties(
                    crm_profile(self.world, self.world.people[key], contact_id, variant)
                )
                text = " ".join((props.get(name) or "").lower() for name in SEARCHABLE)
                rows.append((contact_id, text, props))
            self._search_rows = rows
        return self._search_rows


def _render(
    object_id: str,
    record: tuple[Properties, datetime, datetime],
    wanted: list[str] | None,
    object_type: str,
) -> dict[str, Any]:
    properties, created, updated = record
    if wanted is None:
        wanted = list(DEFAULT_CONTACT_PROPERTIES) if object_type == "contacts" else []
    names = list(dict.fromkeys([*wanted, *ALWAYS_PROPERTIES]))
    rendered = {name: properties.get(name) for name in names}
    if object_type != "contacts":
        rendered = {
            name: properties.get(name)
            for name in dict.fromkeys(
                [*wanted, "hs_object_id", "hs_createdate", "hs_lastmodifieddate"]
            )
        }
    return {
        "id": object_id,
        "properties": rendered,
        "createdAt": _iso(created),
        "updatedAt": _iso(updated),
        "archived": False,
    }


def _now() -> str | None:
    return _iso(datetime.now(UTC))


def _batch_body(
    results: list[dict[str, Any]], missing: list[str], noun: str, started: str | None
) -> Response:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": _now(),
    }
    if not missing:
        return _json(body)
    body["numErrors"] = 1
    body["errors"] = [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {noun} objects, they may be deleted or not exist. "
            "Check that ids are valid.",
            "context": {"ids": missing},
        }
    ]
    return _json(body, 207)


def _associations_of(
    sim: HubSpotSimulator, contact_id: str, to_types: list[str]
) -> dict[str, dict[str, Any]]:
    """The `associations` member of a contact read: per listed type with any, its ids."""
    found: dict[str, dict[str, Any]] = {}
    for raw in to_types:
        to_type = OBJECT_TYPE_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if to_type not in ASSOCIATION_TYPE_IDS:
            continue  # unknown types are ignored, as HubSpot does
        ids = sim.linked_ids(contact_id, to_type)
        if ids:
            label = f"contact_to_{to_type.rstrip('s')}"
            found[to_type] = {"results": [{"id": str(i), "type": label} for i in ids]}
    return found


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def _matches_filter(props: Properties, flt: dict[str, Any]) -> bool:
    name, operator = flt.get("propertyName"), flt.get("operator", "EQ")
    value = props.get(str(name))
    wanted = flt.get("value")
    if operator == "HAS_PROPERTY":
        return value is not None
    if operator == "NOT_HAS_PROPERTY":
        return value is None
    if value is None:
        return False
    if name in ("lastmodifieddate", "createdate") and wanted is not None:
        # Dates filter as epoch milliseconds or ISO strings; compare as instants.
        value_ms = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
        wanted_ms = (
            float(wanted)
            if str(wanted).isdigit()
            else datetime.fromisoformat(str(wanted).replace("Z", "+00:00")).timestamp() * 1000
        )
        return {
            "EQ": value_ms == wanted_ms,
            "GT": value_ms > wanted_ms,
            "GTE": value_ms >= wanted_ms,
            "LT": value_ms < wanted_ms,
            "LTE": value_ms <= wanted_ms,
        }.get(operator, False)
    left, right = value.lower(), str(wanted).lower()
    checks: dict[str, Callable[[], bool]] = {
        "EQ": lambda: left == right,
        "NEQ": lambda: left != right,
        "CONTAINS_TOKEN": lambda: right.strip("*") in left,
        "IN": lambda: left in [str(v).lower() for v in flt.get("values", [])],
    }
    check = checks.get(str(operator))
    return bool(check and check())


def create_hubspot_app(world: World, faults: FaultState, token: str) -> Starlette:
    """The HubSpot simulator app."""
    gate = SimulatorGate(HubSpotDialect(), faults, token)
    sim = HubSpotSimulator(world)

    def object_type_of(request: Request) -> str | None:
        raw = request.path_params["object_type"].lower()
        kind = OBJECT_TYPE_ALIASES.get(raw, raw)
        return kind if kind in ("contacts", "tickets", *ENGAGEMENT_TYPES) else None

    async def batch_read(request: Request) -> Response:
        started = _now()
        object_type = object_type_of(request)
        if object_type is None:
            return hubspot_error(400, "Unable to infer object type", "VALIDATION_ERROR")
        body = await _body(request)
        inputs = body.get("inputs") if body else None
        if not isinstance(inputs, list):
            return hubspot_error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
        if len(inputs) > BATCH_LIMIT:
            return hubspot_error(
                400,
                f"Batch input limit exceeded: {len(inputs)} > {BATCH_LIMIT}",
                "VALIDATION_ERROR",
            )
        assert body is not None
        wanted = body.get("properties")
        id_property = body.get("idProperty")
        results, missing = [], []
        for item in inputs:
            raw = str(item.get("id", "")) if isinstance(item, dict) else ""
            object_id = raw
            if id_property == "email" and object_type == "contacts":
                object_id = sim.email_index().get(raw.lower(), "")
                if object_id in sim.deleted:
                    object_id = ""
            elif id_property not in (None, "hs_object_id"):
                return hubspot_error(
                    400, f"Property {id_property} is not a unique property", "VALIDATION_ERROR"
                )
            record = sim.object_record(object_type, object_id) if object_id else None
            if record is None:
                missing.append(raw)
                continue
            results.append(_render(object_id, record, wanted, object_type))
        noun = object_type.rstrip("s").upper()
        return _batch_body(results, missing, noun, started)

    async def get_object(request: Request) -> Response:
        object_type = object_type_of(request)
        object_id = request.path_params["object_id"]
        if request.query_params.get("idProperty") == "email":
            object_id = sim.email_index().get(object_id.lower(), "")
        record = sim.object_record(object_type, object_id) if object_type and object_id else None
        if record is None:
            return hubspot_error(404, "resource not found", "OBJECT_NOT_FOUND")
        wanted = request.query_params.get("properties")
        body = _render(object_id, record, wanted.split(",") if wanted else None, object_type or "")
        linked = request.query_params.get("associations")
        if linked and object_type == "contacts":
            body["associations"] = _associations_of(sim, object_id, linked.split(","))
        return _json(body)

    async def list_objects(request: Request) -> Response:
        object_type = object_type_of(request)
        if object_type != "contacts":
            return hubspot_error(400, "Listing is simulated for contacts only", "VALIDATION_ERROR")
        limit = min(100, int(request.query_params.get("limit", "10")))
        after = int(request.query_params.get("after", "0") or 0)
        results: list[dict[str, Any]] = []
        ordinal = after
        while len(results) < limit and ordinal < len(world.hubspot_contacts):
            contact_id = str(HUBSPOT_CONTACT_BASE + ordinal)
            record = sim.object_record("contacts", contact_id)
            if record is not None:
                results.append(_render(contact_id, record, None, "contacts"))
            ordinal += 1
        body: dict[str, Any] = {"results": results}
        if ordinal < len(world.hubspot_contacts):
            body["paging"] = {"next": {"after": str(ordinal), "link": f"?after={ordinal}"}}
        return _json(body)

    async def search(request: Request) -> Response:
        if object_type_of(request) != "contacts":
            return hubspot_error(400, "Search is simulated for contacts only", "VALIDATION_ERROR")
        body = await _body(request)
        if body is None:
            return hubspot_error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
        limit = int(body.get("limit") or 10)
        if limit > SEARCH_PAGE_LIMIT:
            return hubspot_error(
                400, f"limit must be at most {SEARCH_PAGE_LIMIT}", "VALIDATION_ERROR"
            )
        after = int(body.get("after") or 0)
        if after >= SEARCH_RESULT_CAP:
            return hubspot_error(
                400, "Search results are limited to 10,000; narrow the filters", "VALIDATION_ERROR"
            )
        groups = body.get("filterGroups") or []
        tokens = str(body.get("query") or "").lower().split()
        rows = sim.search_rows()
        email_filter = [
            f.get("value")
            for g in groups
            for f in g.get("filters", [])
            if f.get("propertyName") == "email" and f.get("operator", "EQ") == "EQ"
        ]
        if len(groups) == 1 and email_filter:
            contact_id = sim.email_index().get(str(email_filter[0]).lower())
            rows = [rows[hubspot_ordinal(contact_id)]] if contact_id else []
        hits = []
        for contact_id, text, props in rows:
            if contact_id in sim.deleted:
                continue
            if tokens and not all(token in text for token in tokens):
                continue
            if groups and not any(
                all(_matches_filter(props, f) for f in g.get("filters", [])) for g in groups
            ):
                continue
            hits.append((contact_id, props))
        for sort in reversed(body.get("sorts") or []):
            name = sort.get("propertyName") if isinstance(sort, dict) else str(sort).lstrip("-")
            descending = (
                (sort.get("direction") == "DESCENDING")
                if isinstance(sort, dict)
                else str(sort).startswith("-")
            )
            hits.sort(key=lambda hit, n=name: hit[1].get(n) or "", reverse=descending)
        page = hits[after : after + limit]
        results = [
            _render(
                cid,
                (
                    props,
                    datetime.fromisoformat(str(props["createdate"]).replace("Z", "+00:00")),
                    datetime.fromisoformat(str(props["lastmodifieddate"]).replace("Z", "+00:00")),
                ),
                body.get("properties"),
                "contacts",
            )
            for cid, props in page
        ]
        out: dict[str, Any] = {"total": len(hits), "results": results}
        if after + limit < len(hits):
            out["paging"] = {"next": {"after": str(after + limit), "link": None}}
        return _json(out)

    async def associations(request: Request) -> Response:
        started = _now()
        from_type = OBJECT_TYPE_ALIASES.get(
            request.path_params["from_type"].lower(), request.path_params["from_type"].lower()
        )
        to_type = OBJECT_TYPE_ALIASES.get(
            request.path_params["to_type"].lower(), request.path_params["to_type"].lower()
        )
        ticket_to_contact = (from_type, to_type) == ("tickets", "contacts")
        if not ticket_to_contact and (
            from_type != "contacts" or to_type not in ASSOCIATION_TYPE_IDS
        ):
            return hubspot_error(
                400, f"Unsupported association {from_type} -> {to_type}", "VALIDATION_ERROR"
            )
        body = await _body(request)
        inputs = body.get("inputs") if body else None
        if not isinstance(inputs, list):
            return hubspot_error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR")
        if len(inputs) > 1000:
            return hubspot_error(
                400, "Batch input limit exceeded: at most 1000 inputs", "VALIDATION_ERROR"
            )
        if ticket_to_contact:
            return _ticket_contacts(inputs, started)
        results, missing = [], []
        for item in inputs:
            contact_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            if sim.contact(contact_id) is None:
                missing.append(contact_id)
                continue
            ids = sim.linked_ids(contact_id, to_type)
            if not ids:
                continue  # HubSpot leaves contacts without associations out of `results`
            results.append(
                {
                    "from": {"id": contact_id},
                    "to": [
                        {
                            "toObjectId": object_id,
                            "associationTypes": [
                                {
                                    "category": "HUBSPOT_DEFINED",
                                    "typeId": ASSOCIATION_TYPE_IDS[to_type],
                                    "label": None,
                                }
                            ],
                        }
                        for object_id in ids
                    ],
                }
            )
        return _batch_body(results, missing, "CONTACT", started)

    def _ticket_contacts(inputs: list[Any], started: str | None) -> Response:
        """Tickets -> their contact (each simulated ticket has one)."""
        results, missing = [], []
        for item in inputs:
            ticket_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            owner = sim.ticket_owner(ticket_id)
            if owner is None:
                missing.append(ticket_id)
                continue
            to = {
                "toObjectId": int(owner),
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": TICKET_TO_CONTACT, "label": None}
                ],
            }
            results.append({"from": {"id": ticket_id}, "to": [to]})
        return _batch_body(results, missing, "TICKET", started)

    async def gdpr_delete(request: Request) -> Response:
        body = await _body(request)
        if body is None or "objectId" not in body:
            return hubspot_error(400, "objectId is required", "VALIDATION_ERROR")
        object_id = str(body["objectId"])
        if body.get("idProperty") == "email":
            object_id = sim.email_index().get(object_id.lower(), "")
        if not object_id or sim.contact(object_id) is None:
            return hubspot_error(404, "resource not found", "OBJECT_NOT_FOUND")
        sim.deleted.add(object_id)
        return Response(status_code=204)

    async def change_object(request: Request) -> Response:
        """Simulator control (not HubSpot's API): a contact's or ticket's property changes;
        notify with the `contact.propertyChange` or `ticket.propertyChange` webhook."""
        object_type, object_id = request.path_params["object_type"], request.path_params["id"]
        try:
            body = orjson.loads(await request.body())
            prop, value = str(body["property"]), str(body["value"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(status_code=400)
        known = (
            world.hubspot_contact(object_id) is not None
            if object_type == "contacts"
            else object_type == "tickets" and sim.ticket_owner(object_id) is not None
        )
        if not known:
            return Response(status_code=404)
        target: HubSpotWebhookTarget | None = app.state.webhook
        event_type = object_type.removesuffix("s")
        status = (
            await target.send_property_change(event_type, object_id, prop, value)
            if target
            else None
        )
        return Response(orjson.dumps({"webhook_status": status}), status_code=202)

    app = Starlette(
        routes=[
            Route("/sim/{object_type}/{id}/changes", gate.guard(change_object), methods=["POST"]),
            Route(
                "/crm/v3/objects/contacts/gdpr-delete", gate.guard(gdpr_delete), methods=["POST"]
            ),
            Route(
                "/crm/v3/objects/{object_type}/batch/read", gate.guard(batch_read), methods=["POST"]
            ),
            Route("/crm/v3/objects/{object_type}/search", gate.guard(search), methods=["POST"]),
            Route(
                "/crm/v3/objects/{object_type}/{object_id}", gate.guard(get_object), methods=["GET"]
            ),
            Route("/crm/v3/objects/{object_type}", gate.guard(list_objects), methods=["GET"]),
            Route(
                "/crm/v4/associations/{from_type}/{to_type}/batch/read",
                gate.guard(associations),
                methods=["POST"],
            ),
        ]
    )
    app.state.gate = gate
    app.state.faults = faults
    app.state.simulator = sim
    app.state.webhook = None
    return app
