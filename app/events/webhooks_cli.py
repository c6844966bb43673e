"""`c360 webhooks`: outbound webhook endpoints and dead letters, from the command line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from app.errors import InvalidInputError, NotFoundError
from app.events import webhook_endpoints as service
from app.settings import Settings

if TYPE_CHECKING:
    from app.store.db import Database

T = TypeVar("T")
webhooks_app = typer.Typer(
    help="Outbound webhooks: create, list, disable, rotate, dead-letters, replay.",
    no_args_is_help=True,
)
messages = Console(stderr=True)


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    from app.store.db import run_with_database

    try:
        return run_with_database(Settings().database_url, work)
    except (InvalidInputError, NotFoundError) as error:
        messages.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None


@webhooks_app.command("create")
def create(
    url: Annotated[str, typer.Argument(help="Where to POST the signed events.")],
    purpose: Annotated[str, typer.Option(help="Why it receives data (consent applies).")],
    kind: Annotated[
        list[str] | None, typer.Option(help="An event kind to send (repeat); none: all.")
    ] = None,
) -> None:
    """Register an endpoint and print its signing secret once."""
    production = Settings().is_production
    endpoint = _run(
        lambda db: service.create_endpoint(
            db,
            url=url,
            kinds=[k.lower() for k in kind or []],
            purpose=purpose,
            production=production,
        )
    )
    messages.print(f"[green]created endpoint {endpoint.id}[/green]; its signing secret:")
    typer.echo(endpoint.secret)


@webhooks_app.command("list")
def list_endpoints() -> None:
    """List the endpoints (never their secret)."""
    table = Table("id", "url", "kinds", "purpose", "enabled")
    table.columns[0].no_wrap = True
    for row in _run(service.list_endpoints):
        table.add_row(row.id, row.url, ",".join(row.kinds) or "all", row.purpose, str(row.enabled))
    Console().print(table)


@webhooks_app.command("disable")
def disable(endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")]) -> None:
    """Stop sending to an endpoint."""
    _run(lambda db: service.disable_endpoint(db, endpoint_id))
    messages.print(f"[green]disabled endpoint {endpoint_id}[/green]")


@webhooks_app.command("rotate")
def rotate(endpoint_id: Annotated[str, typer.Argument(help="The endpoint's id.")]) -> None:
    """Give an endpoint a new signing secret and print it once."""
    endpoint = _run(lambda db: service.rotate_secret(db, endpoint_id))
    typer.echo(endpoint.secret)


@webhooks_app.command("dead-letters")
def dead_letters(first: Annotated[int, typer.Option(min=1, max=1000)] = 50) -> None:
    """List deliveries given up on, newest first."""
    table = Table("id", "endpoint", "event", "kind", "attempts", "last error", "failed")
    for letter in _run(lambda db: service.dead_letters(db, first=first)):
        delivery, event = letter.delivery, letter.event
        table.add_row(
            str(delivery.id),
            delivery.endpoint_id,
            event.event_id,
            event.kind,
            str(delivery.attempts),
            delivery.last_error or "-",
            delivery.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    Console().print(table)


@webhooks_app.command("replay")
def replay(delivery_id: Annotated[int, typer.Argument(help="The dead letter's id.")]) -> None:
    """Queue a dead letter again (a running gateway sends it)."""
    _run(lambda db: service.replay_dead_letter(db, delivery_id))
    messages.print(f"[green]queued delivery {delivery_id} again[/green]")
