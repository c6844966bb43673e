"""Zendesk Support simulator: API v2 users, requested tickets, comments and incremental export.

Speaks the documented wire format: basic auth with an API token (`{email}/token:{api_token}`),
`{"error": ..., "description": ...}` error bodies, ISO 8601 `...Z` timestamps, integer ids.
Lists page the two documented ways: cursor pagination when `page[size]` is given (`meta.has_more`,
`meta.after_cursor`, `links.next`), offset pagination (`page`, `per_page`, `next_page`) when not.
`show_many` takes at most 100 ids. The cursor-based incremental user export takes `start_time`
(Unix seconds) and answers `users`, `after_cursor`, `after_url` and `end_of_stream`. Paths work
with and without the `.json` suffix, as Zendesk's do.

Tickets are created (`POST /api/v2/tickets`) and updated (`PUT /api/v2/tickets/{id}`: status,
priority, type, subject, a comment) as Zendesk's API does; with a `ZendeskWebhookTarget` in
`app.state.webhook`, each change is also sent to the gateway as Zendesk's signed ticket event
webhooks send it (`zen:event-type:ticket.created`, `...status_changed`, `...comment_added`...),
one event per request, before the API answers.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.desk import (
    AGENT_IDS,
    API_AGENT,
    COMMENTS_PER_TICKET,
    TICKET_BASE,
    TICKETS_PER_USER,
    DeskComment,
    DeskTicket,
    DeskUser,
    desk_tickets,
    desk_user,
    split_ticket_id,
)
from simulators.faults import Endpoint, FaultState, SimulatorGate
from simulators.webhooks import ZendeskWebhookTarget
from simulators.world import ZENDESK_USER_BASE, Person, World

SHOW_MANY_LIMIT = 100
PAGE_SIZE_LIMIT = 100
EXPORT_PAGE_DEFAULT = 1000
ACCOUNT_ID = 88_888_888
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TYPES = ("question", "incident", "problem", "task")
# What an update may change, and the ticket event each change is announced with.
CHANGE_EVENTS = {
    "status": "status_changed",
    "priority": "priority_changed",
    "type": "type_changed",
    "subject": "subject_changed",
}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def zendesk_error(status: int, error: str, description: str) -> Response:
    """Zendesk's error body."""
    return _json({"error": error, "description": description}, status)


class ZendeskDialect:
    """Basic auth with an API token, and Zendesk's error bodies."""

    header_auth = True

    def token(self, request: Request) -> str | None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return secret if user.endswith("/token") and "@" in user else None

    def unauthorized(self) -> Response:
        return _json({"error": "Couldn't authenticate you"}, 401)

    def rate_limited(self, retry_after: int) -> Response:
        response = zendesk_error(
            429, "APIRateLimitExceeded", "Number of allowed API requests per minute exceeded"
        )
        response.headers["Retry-After"] = str(retry_after)
        return response

    def server_error(self, status: int) -> Response:
        return zendesk_error(status, "InternalError", "Something went wrong")


# One ticket event: its type after `zen:event-type:ticket.`, and its `event` object.
TicketEvent = tuple[str, dict[str, Any]]
_CHOICES = {"status": STATUSES, "priority": PRIORITIES, "type": TYPES}


class TicketInvalid(ValueError):
    """A ticket write Zendesk would refuse (422 `RecordInvalid`), naming the field."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(f"{field} {description}")
        self.field = field
        self.description = description


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _value(fields: dict[str, Any], name: str, default: str) -> str:
    """`fields[name]` (one of Zendesk's values, for status, priority and type), or `default`."""
    if fields.get(name) is None:
        return default
    value = str(fields[name])
    choices = _CHOICES.get(name)
    if choices is not None and value.lower() not in choices:
        raise TicketInvalid(name, f"is not one of {', '.join(choices)}")
    return value.lower() if choices is not None else value


def _shown(name: str, value: str) -> str:
    """A value as ticket events show it: Zendesk's upper-case enums, the subject as it is."""
    return value.upper() if name in _CHOICES else value


def _comment_body(fields: dict[str, Any]) -> str | None:
    comment = fields.get("comment")
    body = comment.get("body") if isinstance(comment, dict) else None
    return str(body) if body else None


def _comment_event(comment: DeskComment) -> dict[str, Any]:
    return {
        "id": str(comment.comment_id),
        "body": comment.body,
        "is_public": comment.public,
        "author": {"id": str(comment.author_id), "is_staff": comment.author_id in AGENT_IDS},
    }


def ticket_event(ticket: DeskTicket, event_type: str, event: dict[str, Any]) -> dict[str, Any]:
    """A ticket event as Zendesk's event webhooks send it (event version 2022-11-06)."""
    return {
        "type": f"zen:event-type:ticket.{event_type}",
        "account_id": ACCOUNT_ID,
        "id": str(uuid.uuid4()),
        "time": _iso(ticket.updated_at),
        "zendesk_event_version": "2022-11-06",
        "subject": f"zen:ticket:{ticket.ticket_id}",
        "detail": {
            "actor_id": str(API_AGENT["id"]),
            "assignee_id": None if ticket.status == "new" else str(API_AGENT["id"]),
            "created_at": _iso(ticket.created_at),
            "description": ticket.description,
            "external_id": None,
            "id": str(ticket.ticket_id),
            "is_public": True,
            "priority": _shown("priority", ticket.priority),
            "requester_id": str(ticket.requester_id),
            "status": _shown("status", ticket.status),
            "subject": ticket.subject,
            "submitter_id": str(ticket.requester_id),
            "tags": list(ticket.tags),
            "type": _shown("type", ticket.type),
            "updated_at": _iso(ticket.updated_at),
            "via": {"channel": "web_service"},
        },
        "event": event,
    }


class ZendeskSimulator:
    """The desk's data over the world, computed on demand."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._emails: dict[str, str] | None = None
        self.deleted: set[str] = set()  # soft-deleted: only the permanent delete sees them
        self.purged: set[str] = set()  # permanently deleted
        self.created: dict[str, list[DeskTicket]] = {}  # by requester, through the API
        self.edited: dict[int, DeskTicket] = {}  # tickets as updated through the API

    def _person(self, user_id: str) -> Person | None:
        if user_id in self.deleted or user_id in self.purged:
            return None
        return self.world.zendesk_user(user_id)

    def user(self, user_id: str) -> DeskUser | None:
        person = self._person(user_id)
        return None if person is None else desk_user(self.world, person, user_id)

    def tickets(self, user_id: str) -> tuple[DeskTicket, ...]:
        person = self._person(user_id)
        if person is None:
            return ()
        own = (*desk_tickets(self.world, person, user_id), *self.created.get(user_id, ()))
        return tuple(self.edited.get(ticket.ticket_id, ticket) for ticket in own)

    def ticket(self, ticket_id: int) -> DeskTicket | None:
        ordinal, index = split_ticket_id(ticket_id)
        if ordinal < 0 or index >= TICKETS_PER_USER:
            return None
        tickets = self.tickets(str(ZENDESK_USER_BASE + ordinal))
        return tickets[index] if index < len(tickets) else None

    def create_ticket(self, requester_id: str, fields: dict[str, Any]) -> DeskTicket:
        """A ticket the requester opens now (raises `TicketInvalid`)."""
        if self.user(requester_id) is None:
            raise TicketInvalid("requester_id", "is not an end user of this desk")
        index = len(self.tickets(requester_id))
        if index >= TICKETS_PER_USER:
            raise TicketInvalid("requester_id", f"has {TICKETS_PER_USER} tickets (the most here)")
        body = _comment_body(fields)
        if body is None:
            raise TicketInvalid("comment", "can't be blank")
        now = _now()
        ticket_id = TICKET_BASE + (int(requester_id) - ZENDESK_USER_BASE) * TICKETS_PER_USER + index
        ticket = DeskTicket(
            ticket_id=ticket_id,
            requester_id=int(requester_id),
            subject=_value(fields, "subject", body[:60]),
            type=_value(fields, "type", "question"),
            status=_value(fields, "status", "new"),
            priority=_value(fields, "priority", "normal"),
            tags=tuple(str(tag) for tag in fields.get("tags") or ()),
            created_at=now,
            updated_at=now,
            comments=(DeskComment(ticket_id * 10, int(requester_id), body, True, now),),
        )
        self.created.setdefault(requester_id, []).append(ticket)
        return ticket

    def update_ticket(self, ticket: DeskTicket, fields: dict[str, Any]) -> list[TicketEvent]:
        """Apply `fields` to the ticket; the ticket events announcing each change (raises
        `TicketInvalid`)."""
        if ticket.status == "closed":
            raise TicketInvalid("status", "closed prevents ticket update")
        changes: dict[str, Any] = {}
        events: list[TicketEvent] = []
        for name, event_type in CHANGE_EVENTS.items():
            current = getattr(ticket, name)
            value = _value(fields, name, current)
            if value != current:
                changes[name] = value
                shown = {"current": _shown(name, value), "previous": _shown(name, current)}
                events.append((event_type, shown))
        now = _now()
        comments = ticket.comments
        body = _comment_body(fields)
        if body is not None:
            if len(comments) >= COMMENTS_PER_TICKET:
                raise TicketInvalid("comment", f"a ticket here has {COMMENTS_PER_TICKET} at most")
            comment = fields["comment"]
            author = str(comment.get("author_id") or API_AGENT["id"])
            if not author.isdigit():
                raise TicketInvalid("comment", "author_id is not a user id")
            added = DeskComment(
                ticket.ticket_id * 10 + len(comments),
                int(author),
                body,
                comment.get("public") is not False,
                now,
            )
            comments = (*comments, added)
            events.append(("comment_added", {"comment": _comment_event(added)}))
        if events:
            self.edited[ticket.ticket_id] = dataclasses.replace(
                ticket, **changes, comments=comments, updated_at=now
            )
        return events

    def users(self) -> list[DeskUser]:
        gone = self.deleted | self.purged
        return [
            desk_user(self.world, self.world.people[key], user_id)
            for n, key in enumerate(self.world.zendesk_members)
            if (user_id := str(ZENDESK_USER_BASE + n)) not in gone
        ]

    def email_index(self) -> dict[str, str]:
        if self._emails is None:
            self._emails = {user.email: str(user.user_id) for user in self.users()}
        return self._emails


def user_json(base: str, user: DeskUser) -> dict[str, Any]:
    """A user as Zendesk renders an end user."""
    return {
        "id": user.user_id,
        "url": f"{base}/api/v2/users/{user.user_id}.json",
        "name": user.name,
        "email": user.email,
        "created_at": _iso(user.created_at),
        "updated_at": _iso(user.updated_at),
        "time_zone": "London",
        "iana_time_zone": "Europe/London",
        "phone": user.phone,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": user.locale,
        "organization_id": None,
        "role": "end-user",
        "verified": True,
        "external_id": None,
        "tags": [],
        "alias": "",
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": None,
        "two_factor_auth_enabled": False,
        "signature": None,
        "details": "",
        "notes": "",
        "role_type": None,
        "custom_role_id": None,
        "moderator": False,
        "ticket_restriction": "requested",
        "only_private_comments": False,
        "restricted_agent": True,
        "suspended": False,
        "default_group_id": None,
        "report_csv": False,
        "user_fields": {},
    }


def ticket_json(base: str, ticket: DeskTicket) -> dict[str, Any]:
    """A ticket as Zendesk renders it."""
    return {
        "id": ticket.ticket_id,
        "url": f"{base}/api/v2/tickets/{ticket.ticket_id}.json",
        "external_id": None,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "type": ticket.type,
        "subject": ticket.subject,
        "raw_subject": ticket.subject,
        "description": ticket.description,
        "priority": ticket.priority,
        "status": ticket.status,
        "recipient": None,
        "requester_id": ticket.requester_id,
        "submitter_id": ticket.requester_id,
        "assignee_id": None if ticket.status == "new" else API_AGENT["id"],
        "organization_id": None,
        "group_id": None,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": list(ticket.tags),
        "custom_fields": [],
        "satisfaction_rating": None,
        "sharing_agreement_ids": [],
        "followup_ids": [],
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }


def comment_json(comment: DeskComment) -> dict[str, Any]:
    """A ticket comment as Zendesk renders it."""
    return {
        "id": comment.comment_id,
        "type": "Comment",
        "author_id": comment.author_id,
        "body": comment.body,
        "html_body": f'<div class="zd-comment" dir="auto"><p>{comment.body}</p></div>',
        "plain_body": comment.body,
        "public": comment.public,
        "attachments": [],
        "audit_id": comment.comment_id + 1,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": _iso(comment.created_at),
        "metadata": {"system": {}, "custom": {}},
    }


def _cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _uncursor(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _listing(request: Request, key: str, rows: Sequence[dict[str, Any]]) -> Response:
    """`rows` under `key`, cursor-paged when `page[size]` is given, else offset-paged."""
    query = request.query_params
    url = str(request.url.replace(query=""))
    if "page[size]" in query:
        try:
            size = int(query["page[size]"])
        except ValueError:
            return zendesk_error(400, "InvalidPaginationParameter", "page[size] is not a number")
        if not 1 <= size <= PAGE_SIZE_LIMIT:
            return zendesk_error(
                400, "InvalidPaginationParameter", f"page[size] must be 1..{PAGE_SIZE_LIMIT}"
            )
        start = 0
        if query.get("page[after]"):
            decoded = _uncursor(query["page[after]"])
            if decoded is None or not decoded.isdigit():
                return zendesk_error(400, "InvalidPaginationParameter", "invalid cursor")
            start = int(decoded)
        page = list(rows[start : start + size])
        end = start + len(page)
        has_more = end < len(rows)
        after = _cursor(str(end)) if page else None
        before = _cursor(str(start)) if page else None
        return _json(
            {
                key: page,
                "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": before},
                "links": {
                    "prev": f"{url}?{urlencode({'page[size]': size, 'page[before]': before})}"
                    if before and start
                    else None,
                    "next": f"{url}?{urlencode({'page[size]': size, 'page[after]': after})}"
                    if has_more
                    else None,
                },
            }
        )
    try:
        number = max(1, int(query.get("page", "1")))
        per_page = min(PAGE_SIZE_LIMIT, max(1, int(query.get("per_page", "100"))))
    except ValueError:
        return zendesk_error(400, "InvalidPaginationParameter", "page and per_page are numbers")
    start = (number - 1) * per_page
    page = list(rows[start : start + per_page])
    more = start + per_page < len(rows)
    return _json(
        {
            key: page,
            "next_page": f"{url}?{urlencode({'page': number + 1, 'per_page': per_page})}"
            if more
            else None,
            "previous_page": f"{url}?{urlencode({'page': number - 1, 'per_page': per_page})}"
            if number > 1
            else None,
            "count": len(rows),
        }
    )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_zendesk_app(world: World, faults: FaultState, token: str) -> Starlette:
    """The Zendesk Support simulator app."""
    gate = SimulatorGate(ZendeskDialect(), faults, token)
    sim = ZendeskSimulator(world)

    async def me(_: Request) -> Response:
        return _json({"user": {**API_AGENT, "role": "admin", "active": True}})

    async def show_many(request: Request) -> Response:
        raw = request.query_params.get("ids", "")
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if len(ids) > SHOW_MANY_LIMIT:
            return zendesk_error(
                400, "InvalidValue", f"Too many ids: at most {SHOW_MANY_LIMIT} per request"
            )
        users = [u for u in (sim.user(i) for i in dict.fromkeys(ids)) if u is not None]
        base = _base(request)
        return _json(
            {
                "users": [user_json(base, u) for u in users],
                "next_page": None,
                "previous_page": None,
                "count": len(users),
            }
        )

    async def show_user(request: Request) -> Response:
        user = sim.user(str(request.path_params["user_id"]))
        if user is None:
            return zendesk_error(404, "RecordNotFound", "Not found")
        return _json({"user": user_json(_base(request), user)})

    async def delete_user(request: Request) -> Response:
        """Zendesk's Delete User: the user is soft-deleted (permanently deleted later)."""
        user_id = str(request.path_params["user_id"])
        user = sim.user(user_id)
        if user is None:
            return zendesk_error(404, "RecordNotFound", "Not found")
        sim.deleted.add(user_id)
        return _json({"user": {**user_json(_base(request), user), "active": False}})

    async def delete_permanently(request: Request) -> Response:
        """Zendesk's Permanently Delete User: only a soft-deleted user; nothing remains."""
        user_id = str(request.path_params["user_id"])
        if user_id not in sim.deleted:
            return zendesk_error(404, "RecordNotFound", "Not found")
        sim.deleted.discard(user_id)
        sim.purged.add(user_id)
        return _json({"deleted_user": {"id": int(user_id), "name": "Permanently Deleted User"}})

    async def search_users(request: Request) -> Response:
        query = request.query_params.get("query", "").strip().lower()
        if not query:
            return zendesk_error(400, "InvalidValue", "query is required")
        if query.startswith("email:"):
            found = sim.email_index().get(query.removeprefix("email:").strip().strip('"'))
            users = [u for u in [sim.user(found)] if u is not None] if found else []
        else:
            users = [u for u in sim.users() if query in u.name.lower() or query in u.email]
        base = _base(request)
        return _listing(request, "users", [user_json(base, u) for u in users])

    async def requested(request: Request) -> Response:
        user_id = str(request.path_params["user_id"])
        if sim.user(user_id) is None:
            return zendesk_error(404, "RecordNotFound", "Not found")
        base = _base(request)
        return _listing(request, "tickets", [ticket_json(base, t) for t in sim.tickets(user_id)])

    async def comments(request: Request) -> Response:
        ticket = sim.ticket(request.path_params["ticket_id"])
        if ticket is None:
            return zendesk_error(404, "RecordNotFound", "Not found")
        return _listing(request, "comments", [comment_json(c) for c in ticket.comments])

    async def _ticket_fields(request: Request) -> dict[str, Any] | None:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        ticket = body.get("ticket") if isinstance(body, dict) else None
        return ticket if isinstance(ticket, dict) else None

    async def _announce(ticket: DeskTicket, events: list[TicketEvent]) -> None:
        target: ZendeskWebhookTarget | None = app.state.webhook
        if target is not None:
            for event_type, event in events:
                await target.send(ticket_event(ticket, event_type, event))

    def _written(request: Request, ticket: DeskTicket, status: int) -> Response:
        audit = {
            "id": ticket.ticket_id * 1000 + len(ticket.comments),
            "ticket_id": ticket.ticket_id,
            "created_at": _iso(ticket.updated_at),
            "author_id": API_AGENT["id"],
        }
        return _json({"ticket": ticket_json(_base(request), ticket), "audit": audit}, status)

    def _invalid(error: TicketInvalid) -> Response:
        details = {error.field: [{"description": f"{error.field} {error.description}"}]}
        body = {"error": "RecordInvalid", "description": "Record validation errors"}
        return _json({**body, "details": details}, 422)

    async def create_ticket(request: Request) -> Response:
        """Zendesk's Create Ticket: `{"ticket": {"requester_id", "comment": {"body"}, ...}}`."""
        fields = await _ticket_fields(request)
        if fields is None:
            return zendesk_error(400, "InvalidValue", "a JSON object with a ticket is required")
        try:
            ticket = sim.create_ticket(str(fields.get("requester_id", "")), fields)
        except TicketInvalid as error:
            return _invalid(error)
        await _announce(ticket, [("created", {})])
        return _written(request, ticket, 201)

    async def update_ticket(request: Request) -> Response:
        """Zendesk's Update Ticket: status, priority, type, subject, and a comment."""
        ticket = sim.ticket(request.path_params["ticket_id"])
        if ticket is None:
            return zendesk_error(404, "RecordNotFound", "Not found")
        fields = await _ticket_fields(request)
        if fields is None:
            return zendesk_error(400, "InvalidValue", "a JSON object with a ticket is required")
        try:
            events = sim.update_ticket(ticket, fields)
        except TicketInvalid as error:
            return _invalid(error)
        updated = sim.ticket(ticket.ticket_id) or ticket
        await _announce(updated, events)
        return _written(request, updated, 200)

    async def incremental_users(request: Request) -> Response:
        query = request.query_params
        try:
            per_page = min(EXPORT_PAGE_DEFAULT, max(1, int(query.get("per_page", "1000"))))
            if query.get("cursor"):
                decoded = _uncursor(query["cursor"]) or ""
                moment, _, last_id = decoded.partition("|")
                position = (int(moment), int(last_id))
            elif "start_time" in query:
                position = (int(query["start_time"]), -1)
            else:
                return zendesk_error(400, "InvalidValue", "start_time or cursor is required")
        except ValueError:
            return zendesk_error(400, "InvalidValue", "start_time or cursor is invalid")
        ordered = sorted(
            ((int(u.updated_at.timestamp()), u.user_id, u) for u in sim.users()),
            key=lambda row: row[:2],
        )
        after = [row for row in ordered if row[:2] > position]
        page = after[:per_page]
        end_of_stream = len(after) <= per_page
        last = page[-1][:2] if page else position
        cursor = _cursor(f"{last[0]}|{last[1]}")
        base = _base(request)
        url = f"{base}/api/v2/incremental/users/cursor.json"
        return _json(
            {
                "users": [user_json(base, row[2]) for row in page],
                "after_cursor": cursor,
                "after_url": f"{url}?{urlencode({'cursor': cursor, 'per_page': per_page})}",
                "before_cursor": None,
                "before_url": None,
                "end_of_stream": end_of_stream,
            }
        )

    def routes(path: str, endpoint: Endpoint, method: str = "GET") -> list[Route]:
        guarded = gate.guard(endpoint)
        return [
            Route(path, guarded, methods=[method]),
            Route(f"{path}.json", guarded, methods=[method]),
        ]

    table: list[tuple[str, Callable[[Request], Any]]] = [
        ("/api/v2/users/me", me),
        ("/api/v2/users/show_many", show_many),
        ("/api/v2/users/search", search_users),
        ("/api/v2/users/{user_id:int}/tickets/requested", requested),
        ("/api/v2/users/{user_id:int}", show_user),
        ("/api/v2/tickets/{ticket_id:int}/comments", comments),
        ("/api/v2/incremental/users/cursor", incremental_users),
    ]
    writes = [
        *routes("/api/v2/users/{user_id:int}", delete_user, "DELETE"),
        *routes("/api/v2/deleted_users/{user_id:int}", delete_permanently, "DELETE"),
        *routes("/api/v2/tickets", create_ticket, "POST"),
        *routes("/api/v2/tickets/{ticket_id:int}", update_ticket, "PUT"),
    ]
    app = Starlette(
        routes=[
            *writes,
            *(route for path, handler in table for route in routes(path, handler)),
        ]
    )
    app.state.gate = gate
    app.state.faults = faults
    app.state.simulator = sim
    app.state.webhook = None
    return app
