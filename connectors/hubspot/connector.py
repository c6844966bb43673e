"""HubSpot CRM connector: contacts, tickets and engagements over CRM v3 / associations v4.

Auth is a private-app token (`Authorization: Bearer ...`). Reads use the batch endpoints
(at most 100 inputs per call, chunked here and sent concurrently under the system's pool),
which answer 207 with an `errors` list when some ids are unknown: those ids are simply
absent from the result. Associated ids come from the v4 associations batch read (one object
type per call) or, for a few contacts, from reading each contact with `associations=` (every
type in one call, shared by a request's tickets and engagements), whichever makes fewer calls.
Search, batch reads and association reads only read, so they are retried; GDPR delete is a
write and is never retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from connectors.base import SourceHealth
from connectors.config import ConnectorSettings
from connectors.errors import RequestRejectedError
from connectors.fanout import chunked, gather_or_raise
from connectors.health import probe
from connectors.http import SourceClient
from connectors.hubspot.mapping import HubSpotMapping
from connectors.pooled import PooledConnector
from connectors.records import (
    Capability,
    CrmContact,
    Engagement,
    EngagementType,
    PostalAddress,
    SourceChange,
    Ticket,
)
from connectors.system_type import SystemType
from connectors.wire import (
    as_dict,
    as_list,
    expect_shape,
    integer,
    iso_date,
    iso_datetime,
    text,
)

CONTACT_PROPERTIES = (
    "firstname",
    "lastname",
    "email",
    "phone",
    "mobilephone",
    "company",
    "address",
    "city",
    "zip",
    "state",
    "country",
    "lifecyclestage",
    "hubspot_owner_id",
    "date_of_birth",
    "hs_email_delivered",
    "hs_email_open",
    "hs_email_click",
    "hs_email_last_open_date",
    "createdate",
    "lastmodifieddate",
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hs_lifecyclestage_customer_date",
)
TICKET_PROPERTIES = (
    "subject",
    "content",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hs_ticket_category",
    "createdate",
    "closed_date",
    "hs_lastmodifieddate",
)
CLOSED_TICKET_STAGES = frozenset({"4"})
ENGAGEMENT_OBJECTS: dict[EngagementType, tuple[str, tuple[str, ...]]] = {
    EngagementType.CALL: (
        "calls",
        (
            "hs_timestamp",
            "hs_call_title",
            "hs_call_body",
            "hs_call_direction",
            "hs_call_status",
            "hs_call_duration",
            "hs_lastmodifieddate",
        ),
    ),
    EngagementType.EMAIL: (
        "emails",
        (
            "hs_timestamp",
            "hs_email_subject",
            "hs_email_text",
            "hs_email_direction",
            "hs_email_status",
            "hs_lastmodifieddate",
        ),
    ),
    EngagementType.NOTE: ("notes", ("hs_timestamp", "hs_note_body", "hs_lastmodifieddate")),
    EngagementType.MEETING: (
        "meetings",
        (
            "hs_timestamp",
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_meeting_outcome",
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hs_lastmodifieddate",
        ),
    ),
}
_ENGAGEMENT_FIELDS = {
    EngagementType.CALL: ("hs_call_title", "hs_call_body", "hs_call_direction", "hs_call_status"),
    EngagementType.EMAIL: (
        "hs_email_subject",
        "hs_email_text",
        "hs_email_direction",
        "hs_email_status",
    ),
    EngagementType.NOTE: (None, "hs_note_body", None, None),
    EngagementType.MEETING: ("hs_meeting_title", "hs_meeting_body", None, "hs_meeting_outcome"),
}
# What a contact read lists with `associations=`: every type this connector reads.
LINKED_TYPES = ("tickets", *(object_type for object_type, _ in ENGAGEMENT_OBJECTS.values()))
ContactLinks = dict[str, tuple[list[str], bool]]  # type -> (ids, whether the list is complete)
SEARCH_PAGE = 100
SEARCH_CAP = 10_000  # HubSpot stops paging a search at 10,000 results


class HubSpotConnector(PooledConnector):
    """CRM connector for HubSpot's CRM v3 API."""

    capabilities = frozenset(
        {
            Capability.PROFILES,
            Capability.TICKETS,
            Capability.ENGAGEMENTS,
            Capability.SEARCH,
            Capability.LOOKUP_BY_EMAIL,
            Capability.ERASURE,
            Capability.CHANGES,
        }
    )

    def __init__(
        self, system_type: SystemType, settings: ConnectorSettings, client: SourceClient
    ) -> None:
        if not isinstance(settings.mapping, HubSpotMapping):
            raise TypeError("HubSpotConnector needs a hubspot mapping")
        super().__init__(system_type, settings, client)
        self.mapping = settings.mapping
        self._contact_properties = list(
            dict.fromkeys([*CONTACT_PROPERTIES, *self.mapping.extra_contact_properties])
        )
        self._reading: dict[str, asyncio.Future[ContactLinks]] = {}

    # ---- batch plumbing ----
    async def _batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        id_property: str | None = None,
    ) -> list[dict[str, Any]]:
        """Objects for `ids` via `batch/read`, ≤ batch_size inputs per call, concurrently."""
        unique = list(dict.fromkeys(i for i in ids if i))
        if not unique:
            return []

        async def read(chunk: list[str]) -> Any:
            body: dict[str, Any] = {
                "inputs": [{"id": value} for value in chunk],
                "properties": list(properties),
                "archived": False,
            }
            if id_property:
                body["idProperty"] = id_property
            return await self.client.post(
                f"/crm/v3/objects/{object_type}/batch/read", json=body, idempotent=True
            )

        pages = await gather_or_raise(read(c) for c in chunked(unique, self.mapping.batch_size))
        with expect_shape(self.system, f"{object_type} batch"):
            return [as_dict(item) for page in pages for item in as_list(as_dict(page)["results"])]

    async def _associated_ids(
        self, from_ids: Sequence[str], to_type: str, from_type: str = "contacts"
    ) -> dict[str, list[str]]:
        """`from_type` id -> ids of associated `to_type` objects (v4 batch read, with paging)."""
        unique = list(dict.fromkeys(i for i in from_ids if i))
        found: dict[str, list[str]] = {}

        async def read(inputs: list[dict[str, str]]) -> Any:
            return await self.client.post(
                f"/crm/v4/associations/{from_type}/{to_type}/batch/read",
                json={"inputs": inputs},
                idempotent=True,
            )

        pending = [[{"id": i} for i in chunk] for chunk in chunked(unique, self.mapping.batch_size)]
        while pending:
            pages = await gather_or_raise(read(inputs) for inputs in pending)
            pending = []
            follow_ups: list[dict[str, str]] = []
            with expect_shape(self.system, "associations batch"):
                for page in pages:
                    for result in as_list(as_dict(page)["results"]):
                        result = as_dict(result)
                        source = str(as_dict(result["from"])["id"])
                        targets = found.setdefault(source, [])
                        targets.extend(str(as_dict(t)["toObjectId"]) for t in as_list(result["to"]))
                        after = ((result.get("paging") or {}).get("next") or {}).get("after")
                        if after:
                            follow_ups.append({"id": source, "after": str(after)})
            pending = chunked(follow_ups, self.mapping.batch_size)
        return found

    async def _links(
        self, contact_ids: Sequence[str], to_types: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        """To type -> contact id -> associated ids, in as few calls as the API allows.

        The v4 batch read takes one type per call; a contact read with `associations=` takes
        every type but one contact per call. A type whose list the contact read pages is read
        again, for those contacts, through the v4 batch read.
        """
        unique = list(dict.fromkeys(i for i in contact_ids if i))
        batch_calls = len(to_types) * len(chunked(unique, self.mapping.batch_size))
        if len(unique) > batch_calls:
            per_type = await gather_or_raise(self._associated_ids(unique, t) for t in to_types)
            return dict(zip(to_types, per_type, strict=True))
        reads = await gather_or_raise(self._contact_links(c) for c in unique)
        found: dict[str, dict[str, list[str]]] = {t: {} for t in to_types}
        paged: dict[str, list[str]] = {}
        for contact_id, links in zip(unique, reads, strict=True):
            for to_type in to_types:
                ids, complete = links.get(to_type, ([], True))
                if not complete:
                    paged.setdefault(to_type, []).append(contact_id)
                elif ids:
                    found[to_type][contact_id] = ids
        rest = await gather_or_raise(self._associated_ids(c, t) for t, c in paged.items())
        for to_type, more in zip(paged, rest, strict=True):
            found[to_type].update(more)
        return found

    async def _contact_links(self, contact_id: str) -> ContactLinks:
        """Every linked type of one contact, in one read shared by concurrent callers.

        A request asks for a customer's tickets and engagements at the same moment: both wait
        for the same read. Nothing is kept once it has answered (caching is the gateway's).
        """
        pending = self._reading.get(contact_id)
        if pending is None:
            pending = asyncio.ensure_future(self._read_contact_links(contact_id))
            self._reading[contact_id] = pending
            pending.add_done_callback(partial(self._read_done, contact_id))
        # Shielded: a caller giving up (its budget spent) does not cancel the others' read.
        return await asyncio.shield(pending)

    def _read_done(self, contact_id: str, read: asyncio.Future[ContactLinks]) -> None:
        if self._reading.get(contact_id) is read:
            del self._reading[contact_id]
        if not read.cancelled():
            read.exception()  # retrieved, even if every caller has stopped waiting

    async def _read_contact_links(self, contact_id: str) -> ContactLinks:
        try:
            body = await self.client.get(
                f"/crm/v3/objects/contacts/{quote(contact_id, safe='')}",
                params={"associations": ",".join(LINKED_TYPES), "properties": "hs_object_id"},
            )
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return {}  # an unknown contact has no associations, as in the batch read
            raise
        with expect_shape(self.system, "contact associations"):
            listed = as_dict(as_dict(body).get("associations") or {})
            links: ContactLinks = {}
            for to_type in LINKED_TYPES:
                block = as_dict(listed.get(to_type) or {"results": []})
                ids = [str(as_dict(r)["id"]) for r in as_list(block["results"])]
                more = ((block.get("paging") or {}).get("next") or {}).get("after")
                # An object associated under several labels is listed once per label.
                links[to_type] = (list(dict.fromkeys(ids)), not more)
            return links

    # ---- contacts ----
    def _contact(self, item: dict[str, Any]) -> CrmContact:
        props = as_dict(item["properties"])
        street, city, postcode = (
            text(props.get("address")),
            text(props.get("city")),
            text(props.get("zip")),
        )
        region, country = text(props.get("state")), text(props.get("country"))
        address = None
        if street or city or postcode:
            address = PostalAddress("home", street, city, postcode, region, country)
        return CrmContact(
            system=self.system,
            external_id=str(item["id"]),
            given_name=text(props.get("firstname")),
            family_name=text(props.get("lastname")),
            email=(text(props.get("email")) or "").lower() or None,
            phone=text(props.get("phone")),
            mobile=text(props.get("mobilephone")),
            company=text(props.get("company")),
            address=address,
            lifecycle_stage=text(props.get("lifecyclestage")),
            owner_id=text(props.get("hubspot_owner_id")),
            birth_date=iso_date(props.get("date_of_birth")),
            emails_delivered=integer(props.get("hs_email_delivered")),
            email_opens=integer(props.get("hs_email_open")),
            email_clicks=integer(props.get("hs_email_click")),
            last_email_open_at=iso_datetime(props.get("hs_email_last_open_date")),
            created_at=iso_datetime(item.get("createdAt") or props.get("createdate")),
            updated_at=iso_datetime(item.get("updatedAt") or props.get("lastmodifieddate")),
            archived=bool(item.get("archived", False)),
            original_source=text(props.get("hs_analytics_source")),
            original_source_detail=text(props.get("hs_analytics_source_data_1")),
            became_customer_at=iso_datetime(props.get("hs_lifecyclestage_customer_date")),
        )

    async def fetch_contacts(self, ids: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by HubSpot record id."""
        items = await self._batch_read("contacts", ids, self._contact_properties)
        with expect_shape(self.system, "contact"):
            return {str(item["id"]): self._contact(item) for item in items}

    async def fetch_contacts_by_email(self, emails: Sequence[str]) -> dict[str, CrmContact]:
        """Contacts by lower-cased email (`idProperty=email`)."""
        lowered = [e.strip().lower() for e in emails if e.strip()]
        items = await self._batch_read("contacts", lowered, self._contact_properties, "email")
        with expect_shape(self.system, "contact"):
            contacts = [self._contact(item) for item in items]
        return {c.email: c for c in contacts if c.email}

    async def search_contacts(self, query: str, *, limit: int = 10) -> list[CrmContact]:
        """Contacts matching `query` across HubSpot's default searchable properties."""
        body = {
            "query": query,
            "limit": max(1, min(limit, 200)),
            "properties": self._contact_properties,
        }
        page = await self.client.post("/crm/v3/objects/contacts/search", json=body, idempotent=True)
        with expect_shape(self.system, "search"):
            return [self._contact(as_dict(item)) for item in as_list(as_dict(page)["results"])]

    # ---- tickets and engagements ----
    async def contacts_of_tickets(self, ticket_ids: Sequence[str]) -> dict[str, list[str]]:
        """Ticket id -> the ids of its contacts (a ticket webhook names only the ticket)."""
        return await self._associated_ids(ticket_ids, "contacts", from_type="tickets")

    async def fetch_tickets(self, contact_ids: Sequence[str]) -> dict[str, list[Ticket]]:
        """Tickets, newest first, by contact id."""
        links = (await self._links(contact_ids, ["tickets"]))["tickets"]
        items = await self._batch_read(
            "tickets", [t for ids in links.values() for t in ids], TICKET_PROPERTIES
        )
        with expect_shape(self.system, "ticket"):
            by_id = {str(item["id"]): as_dict(item) for item in items}
            result: dict[str, list[Ticket]] = {}
            for contact_id, ticket_ids in links.items():
                tickets = [self._ticket(contact_id, by_id[t]) for t in ticket_ids if t in by_id]
                if tickets:
                    result[contact_id] = _newest_first(tickets, lambda t: t.created_at)
            return result

    def _ticket(self, contact_id: str, item: dict[str, Any]) -> Ticket:
        props = as_dict(item["properties"])
        stage = text(props.get("hs_pipeline_stage"))
        return Ticket(
            system=self.system,
            external_id=str(item["id"]),
            contact_external_id=contact_id,
            subject=text(props.get("subject")) or "",
            content=text(props.get("content")),
            pipeline_stage=stage,
            is_closed=stage in CLOSED_TICKET_STAGES or bool(text(props.get("closed_date"))),
            priority=text(props.get("hs_ticket_priority")),
            category=text(props.get("hs_ticket_category")),
            created_at=iso_datetime(props.get("createdate") or item.get("createdAt")),
            closed_at=iso_datetime(props.get("closed_date")),
            updated_at=iso_datetime(item.get("updatedAt")),
        )

    async def fetch_engagements(
        self, contact_ids: Sequence[str], types: Sequence[EngagementType] | None = None
    ) -> dict[str, list[Engagement]]:
        """Calls, emails, notes and meetings, newest first, by contact id."""
        wanted = list(types or ENGAGEMENT_OBJECTS)
        links = await self._links(contact_ids, [ENGAGEMENT_OBJECTS[t][0] for t in wanted])
        per_type = await gather_or_raise(
            self._engagements_of(links[ENGAGEMENT_OBJECTS[t][0]], t) for t in wanted
        )
        merged: dict[str, list[Engagement]] = {}
        for mapping in per_type:
            for contact_id, items in mapping.items():
                merged.setdefault(contact_id, []).extend(items)
        return {c: _newest_first(items, lambda e: e.occurred_at) for c, items in merged.items()}

    async def _engagements_of(
        self, links: dict[str, list[str]], kind: EngagementType
    ) -> dict[str, list[Engagement]]:
        object_type, properties = ENGAGEMENT_OBJECTS[kind]
        items = await self._batch_read(
            object_type, [i for ids in links.values() for i in ids], properties
        )
        title_key, body_key, direction_key, status_key = _ENGAGEMENT_FIELDS[kind]
        with expect_shape(self.system, object_type):
            by_id = {str(item["id"]): as_dict(item) for item in items}
            result: dict[str, list[Engagement]] = {}
            for contact_id, ids in links.items():
                for object_id in ids:
                    item = by_id.get(object_id)
                    if item is None:
                        continue
                    props = as_dict(item["properties"])
                    duration = props.get("hs_call_duration")
                    result.setdefault(contact_id, []).append(
                        Engagement(
                            system=self.system,
                            external_id=object_id,
                            contact_external_id=contact_id,
                            type=kind,
                            occurred_at=iso_datetime(props.get("hs_timestamp")),
                            title=text(props.get(title_key)) if title_key else None,
                            body=text(props.get(body_key)) if body_key else None,
                            direction=text(props.get(direction_key)) if direction_key else None,
                            status=text(props.get(status_key)) if status_key else None,
                            duration_ms=integer(duration) if duration not in (None, "") else None,
                            updated_at=iso_datetime(item.get("updatedAt")),
                        )
                    )
            return result

    # ---- erasure ----
    async def erase_contact(self, contact_id: str) -> bool:
        """GDPR-delete a contact (permanent in HubSpot). Never retried: it is a write."""
        try:
            await self.client.post(
                "/crm/v3/objects/contacts/gdpr-delete",
                json={"objectId": contact_id},
                idempotent=False,
            )
        except RequestRejectedError as exc:
            if exc.http_status == 404:
                return False
            raise
        return True

    async def erase_subject(self, external_id: str) -> bool:
        """Erasure for the gateway: HubSpot's GDPR delete of the contact (404 -> False)."""
        return await self.erase_contact(external_id)

    # ---- sync and health ----
    async def iter_changes(self, since: datetime) -> AsyncIterator[SourceChange]:
        """Contacts modified at or after `since`, oldest first.

        Search pages stop at 10,000 results, so after that many the window restarts from the
        last modification time seen (contacts at exactly that instant may be yielded twice).
        """
        floor_ms = int(since.timestamp() * 1000)
        while True:
            after = 0
            last_ms = floor_ms
            while True:
                body = {
                    "filterGroups": [
                        {
                            "filters": [
                                {
                                    "propertyName": "lastmodifieddate",
                                    "operator": "GTE",
                                    "value": str(floor_ms),
                                }
                            ]
                        }
                    ],
                    "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                    "properties": self._contact_properties,
                    "limit": SEARCH_PAGE,
                    "after": str(after),
                }
                page = await self.client.post(
                    "/crm/v3/objects/contacts/search", json=body, idempotent=True
                )
                with expect_shape(self.system, "search"):
                    page = as_dict(page)
                    contacts = [self._contact(as_dict(item)) for item in as_list(page["results"])]
                    next_after = ((page.get("paging") or {}).get("next") or {}).get("after")
                for contact in contacts:
                    if contact.updated_at is not None:
                        last_ms = int(contact.updated_at.timestamp() * 1000)
                    yield SourceChange(
                        self.system, "contact", contact.external_id, contact.updated_at, contact
                    )
                if not next_after:
                    return
                after = int(next_after)
                if after >= SEARCH_CAP:
                    break
            if last_ms == floor_ms:
                return  # 10,000 changes in one millisecond: nothing more can be done
            floor_ms = last_ms

    async def health(self) -> SourceHealth:
        """One authenticated, cheap call: list one contact."""

        async def call() -> object:
            return await self.client.get("/crm/v3/objects/contacts", params={"limit": 1})

        return await probe(self.system, call)


def _newest_first(items: list[Any], key: Any) -> list[Any]:
    return sorted(items, key=lambda item: (key(item) is not None, key(item) or 0), reverse=True)
