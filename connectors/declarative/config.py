"""The description of a REST/JSON system, as the connectors file gives it under `mapping`.

Validated at start-up like every connector table: an unknown key, a jmespath expression that
does not compile, a record field that does not exist or is required and unmapped, a conversion
that cannot give the field's type, or a placeholder the endpoint cannot fill is an error naming
the system and the key path (pydantic's `loc`, reported by `connectors.registry`).

Secrets are never here: the connector's `token_env` names the variable holding the bearer
token, API key, basic-auth password (a Zendesk API token) or OAuth client secret.
"""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.config import MappingSettings
from connectors.declarative.expressions import Expr
from connectors.declarative.fields import (
    CONVERSIONS,
    KIND_FIELDS,
    Conversion,
    conversion_fits,
    literal_fits,
)

EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
Scalar = str | int | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- auth -------------------------------------------------------------------------------------


class BearerAuth(_Strict):
    """`Authorization: Bearer <token_env>`."""

    type: Literal["bearer"] = "bearer"


class BasicAuth(_Strict):
    """HTTP basic auth: a user (in the file or from `username_env`) and `token_env` as password.

    Zendesk's API-token auth is basic auth with the user `{email}/token`.
    """

    type: Literal["basic"]
    username: str | None = None
    username_env: EnvName | None = None

    @model_validator(mode="after")
    def _one_username(self) -> BasicAuth:
        if (self.username is None) == (self.username_env is None):
            raise ValueError("give exactly one of username or username_env")
        return self


class ApiKeyAuth(_Strict):
    """The key from `token_env` in a header of the API's choosing, with an optional prefix."""

    type: Literal["api_key"]
    header: str = Field(default="X-API-Key", pattern=r"^[A-Za-z0-9-]+$")
    prefix: str = ""


class OAuth2ClientCredentials(_Strict):
    """OAuth 2 client credentials: the client secret is `token_env`, the id `client_id_env`.

    The access token is cached, fetched again `refresh_margin` seconds before it expires, and
    once more when the API answers 401 with it.
    """

    type: Literal["oauth2_client_credentials"]
    token_url: str = Field(pattern=r"^https?://")
    client_id_env: EnvName
    scope: str | None = None
    audience: str | None = None
    client_auth: Literal["basic", "body"] = "basic"  # RFC 6749 2.3.1: header or form fields
    refresh_margin: Annotated[float, Field(ge=0)] = 30.0


Auth = Annotated[
    BearerAuth | BasicAuth | ApiKeyAuth | OAuth2ClientCredentials, Field(discriminator="type")
]


# ---- fields, paging, endpoints ----------------------------------------------------------------


class FieldSpec(_Strict):
    """How one record field is read from an item: a jmespath `path` or a constant `value`.

    `convert` turns the selected JSON value into the field's type (by default the type's own
    conversion); `map` is a value map (keys are the JSON values as strings: "true", "3",
    "solved"); `default` is used when the result is null. A bare string is a `path`.
    """

    path: Expr | None = None
    value: Scalar | None = None
    convert: Conversion | None = None
    map: dict[str, Scalar] | None = None
    default: Scalar | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_path(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _coherent(self) -> FieldSpec:
        if (self.path is None) == (self.value is None):
            raise ValueError("give exactly one of path or value")
        if self.map is not None and self.convert not in (None, "map"):
            raise ValueError("a value map is its own conversion: drop convert or map")
        if self.convert == "map" and self.map is None:
            raise ValueError("convert = 'map' needs a map table")
        return self

    @property
    def conversion(self) -> str | None:
        """The declared conversion, `map` when a value map is given."""
        return "map" if self.map is not None else self.convert


class Paging(_Strict):
    """How an endpoint pages, and at most how many pages one call reads.

    - `none`: one page.
    - `cursor`: `next` selects the next cursor (sent as query parameter `param`) or, without
      `param`, the next page's URL; `has_more` (continue while true) and `end` (stop when
      true) are optional flags.
    - `offset` / `page`: query parameter `param` counts items (offset) or pages (page, from
      `start`); `size_param` = `size` per page; a short page is the last.
    - `link`: the `Link: <...>; rel="next"` response header.
    A next-page URL must stay on the system's base URL.
    """

    style: Literal["none", "cursor", "offset", "page", "link"] = "none"
    next: Expr | None = None
    param: str | None = None
    has_more: Expr | None = None
    end: Expr | None = None
    size_param: str | None = None
    size: Annotated[int, Field(ge=1, le=10_000)] | None = None
    start: Annotated[int, Field(ge=0)] = 1
    max_pages: Annotated[int, Field(ge=1, le=100_000)] = 10

    @model_validator(mode="after")
    def _complete(self) -> Paging:
        if self.style == "cursor" and self.next is None:
            raise ValueError("cursor paging needs next (the cursor or next-page URL)")
        if self.style in ("offset", "page") and (self.param is None or self.size is None):
            raise ValueError(f"{self.style} paging needs param and size")
        if self.style in ("none", "link") and (self.next or self.param or self.has_more):
            raise ValueError(f"{self.style} paging takes no next, param or has_more")
        return self


class Batch(_Strict):
    """A read of many ids in one call: `{ids}` in `path` or `params` is the joined ids."""

    path: str
    params: dict[str, Scalar] = {}
    items: Expr
    max_size: Annotated[int, Field(ge=1, le=1000)] = 100
    separator: str = ","


class Endpoint(_Strict):
    """One kind of data: where it is, how it pages, and how an item becomes a record.

    `items` selects the list of items in a page (an object is one item; nothing is an error).
    `for_each = "ticket"` (engagements only) reads the endpoint once per ticket of the contact,
    with `{ticket_id}` in the template and the ticket's own JSON under `_parent` in each item.
    """

    path: str
    params: dict[str, Scalar] = {}
    items: Expr
    paging: Paging = Paging()
    batch: Batch | None = None
    for_each: Literal["ticket"] | None = None
    for_each_limit: Annotated[int, Field(ge=1, le=100)] = 10
    fields: dict[str, FieldSpec] = {}
    changed_at: Expr | None = None  # changes only: when the record changed (else updated_at)


class Probe(_Strict):
    """The health check: one cheap authenticated GET."""

    path: str
    params: dict[str, Scalar] = {}


class RateLimit(_Strict):
    """Requests allowed per second or minute, spent from a token bucket of `burst` requests."""

    requests: Annotated[float, Field(gt=0)]
    per: Literal["second", "minute"] = "second"
    burst: Annotated[int, Field(ge=1)] | None = None

    @property
    def per_second(self) -> float:
        """The steady rate in requests per second."""
        return self.requests / (1.0 if self.per == "second" else 60.0)

    @property
    def capacity(self) -> int:
        """How many requests may go at once after a quiet spell (one second's worth)."""
        return self.burst or max(1, int(self.per_second))


class EraseStep(_Strict):
    """One request of an erasure: `{id}` is the person's id in the system."""

    method: Literal["DELETE", "POST", "PUT"] = "DELETE"
    path: str


class Erase(_Strict):
    """How the system erases a person, in order (Zendesk: delete, then delete permanently).

    A 404 on the first step means the system does not know the person; the steps are writes,
    never retried, and an erasure that stopped half-way is asked again from the start.
    """

    steps: Annotated[list[EraseStep], Field(min_length=1, max_length=5)]


# Placeholders each kind's templates may use.
_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "contact": frozenset({"id"}),
    "contact_by_email": frozenset({"email"}),
    "search": frozenset({"query", "limit"}),
    "tickets": frozenset({"id"}),
    "engagements": frozenset({"id"}),
    "changes": frozenset({"since", "since_epoch"}),
}
KINDS: tuple[str, ...] = tuple(_PLACEHOLDERS)
# Kinds that give contacts: without fields of their own they reuse `contact`'s.
CONTACT_KINDS = frozenset({"contact_by_email", "search", "changes"})


def _placeholders(template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None
    names = {name for _, name, spec, conv in parsed if name is not None}
    for _, name, spec, conv in parsed:
        if name is not None and (spec or conv or not name.isidentifier()):
            raise ValueError(f"bad placeholder {{{name}}} in {template!r}: only {{name}}")
    return names


def _check_templates(where: str, templates: list[str], allowed: frozenset[str]) -> None:
    for template in templates:
        unknown = _placeholders(template) - allowed
        if unknown:
            raise ValueError(
                f"{where}: unknown placeholder {{{sorted(unknown)[0]}}} in {template!r}"
                f" (allowed: {', '.join('{' + a + '}' for a in sorted(allowed)) or 'none'})"
            )


def _templates(path: str, params: dict[str, Scalar]) -> list[str]:
    return [path, *(str(value) for value in params.values())]


def _check_fields(kind: str, fields: dict[str, FieldSpec], *, inherited: bool) -> None:
    catalogue = KIND_FIELDS[kind]
    for name, spec in fields.items():
        field = catalogue.get(name)
        if field is None:
            raise ValueError(f"{kind}.fields.{name}: no such field (known: {', '.join(catalogue)})")
        conversion = spec.conversion
        if conversion not in (None, "map") and not conversion_fits(conversion, field):
            raise ValueError(
                f"{kind}.fields.{name}: conversion {conversion!r} does not give a {field.type}"
                f" (conversions: {', '.join(CONVERSIONS)})"
            )
        literals = [spec.value, spec.default, *(spec.map or {}).values()]
        for literal in literals:
            if literal is not None and not literal_fits(literal, field):
                raise ValueError(f"{kind}.fields.{name}: {literal!r} is not a {field.type}")
    if not inherited:
        missing = [n for n, f in catalogue.items() if f.required and n not in fields]
        if missing:
            raise ValueError(f"{kind}.fields: required field {missing[0]} is not mapped")


class RestDescription(MappingSettings):
    """A REST/JSON system described in the connectors file (the `mapping` of a rest table).

    At least one kind of data; `contact_by_email`, `search` and `changes` may leave out
    `fields` to reuse `contact`'s.
    """

    auth: Auth = BearerAuth()
    rate_limit: RateLimit | None = None
    health: Probe
    contact: Endpoint | None = None
    contact_by_email: Endpoint | None = None
    search: Endpoint | None = None
    tickets: Endpoint | None = None
    engagements: Endpoint | None = None
    changes: Endpoint | None = None
    erase: Erase | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RestDescription:
        configured = {kind: e for kind in KINDS if (e := getattr(self, kind)) is not None}
        if not configured:
            raise ValueError(f"describe at least one kind of data: {', '.join(KINDS)}")
        _check_templates("health", _templates(self.health.path, self.health.params), frozenset())
        for n, step in enumerate(self.erase.steps if self.erase else []):
            _check_templates(f"erase.steps.{n}", [step.path], frozenset({"id"}))
        for kind, endpoint in configured.items():
            allowed = _PLACEHOLDERS[kind]
            if endpoint.for_each is not None:
                if kind != "engagements":
                    raise ValueError(f"{kind}.for_each: only engagements can follow tickets")
                if self.tickets is None:
                    raise ValueError("engagements.for_each = 'ticket' needs a tickets endpoint")
                allowed = allowed | {"ticket_id"}
            _check_templates(kind, _templates(endpoint.path, endpoint.params), allowed)
            if endpoint.batch is not None:
                if kind != "contact":
                    raise ValueError(f"{kind}.batch: only contact reads batch by id")
                batch = endpoint.batch
                _check_templates(
                    f"{kind}.batch", _templates(batch.path, batch.params), frozenset({"ids"})
                )
            if endpoint.changed_at is not None and kind != "changes":
                raise ValueError(f"{kind}.changed_at: only changes has a change time")
            inherited = kind in CONTACT_KINDS and not endpoint.fields and self.contact is not None
            _check_fields(kind, endpoint.fields, inherited=inherited)
        return self

    def kinds(self) -> dict[str, Endpoint]:
        """The configured kinds of data and their endpoints."""
        return {kind: e for kind in KINDS if (e := getattr(self, kind)) is not None}

    def fields_of(self, kind: str) -> dict[str, FieldSpec]:
        """The field mapping of `kind` (a contact kind without its own reuses `contact`'s)."""
        endpoint: Endpoint = getattr(self, kind)
        if kind in CONTACT_KINDS and not endpoint.fields and self.contact is not None:
            return self.contact.fields
        return endpoint.fields
