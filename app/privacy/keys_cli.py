"""`c360 keys`: create, list and revoke API keys; plus the ready-made keys of `c360 demo`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from app.privacy.principals import Purpose, Role
from app.settings import Settings

if TYPE_CHECKING:
    from app.store.db import Database

T = TypeVar("T")
DEMO_KEY_PREFIX = "demo-"
# The purpose each role's demo key acts for.
DEMO_PURPOSES: dict[Role, Purpose] = {
    Role.ADMIN: Purpose.ADMINISTRATION,
    Role.STEWARD: Purpose.STEWARDSHIP,
    Role.SUPPORT_AGENT: Purpose.SUPPORT,
    Role.PERSONALIZATION: Purpose.PERSONALIZATION,
    Role.ANALYST: Purpose.ANALYTICS,
    Role.CUSTOMER: Purpose.SELF_SERVICE,
}

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
messages = Console(stderr=True)


def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the database named by C360_DATABASE_URL."""
    from app.store.db import run_with_database

    return run_with_database(Settings().database_url, work)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@keys_app.command("create")
def create_key(
    name: Annotated[str, typer.Option(help="Who or what holds the key.")],
    role: Annotated[Role, typer.Option(help="The key's role.")],
    purpose: Annotated[Purpose, typer.Option(help="The purpose the key acts for.")],
    subject: Annotated[
        str | None, typer.Option(help="The customer id (customer role only).")
    ] = None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    from app.errors import InvalidInputError
    from app.privacy.api_keys import ApiKeyService

    try:
        created = _with_database(
            lambda db: ApiKeyService(db).create(
                name=name, role=role, purpose=purpose, subject=subject
            )
        )
    except InvalidInputError as error:
        raise typer.BadParameter(error.message) from None
    messages.print(
        f"[green]created key {created.record.id} ({role}, {purpose})[/green]; "
        "store it now, it cannot be shown again:"
    )
    typer.echo(created.key)


@keys_app.command("list")
def list_keys() -> None:
    """List the keys (never their secret or hash)."""
    from app.privacy.api_keys import ApiKeyService

    rows = _with_database(lambda db: ApiKeyService(db).list_keys())
    table = Table("id", "name", "role", "purpose", "subject", "created", "last used", "revoked")
    table.columns[0].no_wrap = True
    for row in rows:
        table.add_row(
            row.id,
            row.name,
            row.role,
            row.purpose,
            row.subject or "-",
            _when(row.created_at),
            _when(row.last_used_at),
            _when(row.revoked_at),
        )
    Console().print(table)


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key; running gateways stop accepting it within the key cache TTL."""
    from app.errors import NotFoundError
    from app.privacy.api_keys import ApiKeyService

    try:
        _with_database(lambda db: ApiKeyService(db).revoke(key_id))
    except NotFoundError:
        messages.print(f"[red]no API key with id {key_id!r}[/red]")
        raise typer.Exit(1) from None
    messages.print(f"[green]revoked key {key_id}[/green]")


async def create_demo_keys(db: Database) -> dict[str, str]:
    """A fresh key per role (role -> plaintext key), after revoking earlier `demo-*` keys.

    The customer key acts as some existing customer; it is left out when the store is empty.
    """
    from app.privacy.api_keys import ApiKeyService
    from app.store.repositories.api_keys import any_live_customer_id

    service = ApiKeyService(db)
    await service.revoke_named_like(DEMO_KEY_PREFIX)
    async with db.session() as session:
        customer_id = await any_live_customer_id(session)
    keys: dict[str, str] = {}
    for role, purpose in DEMO_PURPOSES.items():
        subject = customer_id if role is Role.CUSTOMER else None
        if role is Role.CUSTOMER and subject is None:
            continue
        created = await service.create(
            name=f"{DEMO_KEY_PREFIX}{role}", role=role, purpose=purpose, subject=subject
        )
        keys[role.value] = created.key
    return keys
