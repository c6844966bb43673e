"""`c360 dsar`: data subject requests from the command line (export; erasure), audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.console import Console

from app.privacy.principals import Principal, Purpose, Role
from app.settings import Settings

if TYPE_CHECKING:
    from app.privacy.access import RequestAccess
    from app.privacy.erasure import ErasureOutcome
    from app.privacy.export import DataExport
    from app.store.db import Database

# Who the audit log names for work done from the command line.
CLI_PRINCIPAL = Principal(
    id="cli", name="c360 command line", role=Role.ADMIN, purpose=Purpose.ADMINISTRATION
)
EXPORT_AUDIT_FIELDS = ["data_subject_export"]
ERASURE_AUDIT_FIELDS = ["data_subject_erasure"]
# `c360 dsar erase` exits with this when a system has not erased yet (run it again later).
EXIT_INCOMPLETE = 3

dsar_app = typer.Typer(help="Data subject requests: export, erase.", no_args_is_help=True)
messages = Console(stderr=True)


def store_id(customer_id: str) -> str:
    """The store id of a customer given by store id or by its GraphQL global id."""
    from strawberry import relay
    from strawberry.relay import GlobalIDValueError

    try:
        global_id = relay.GlobalID.from_id(customer_id)
    except GlobalIDValueError:  # not a global id: take it as a store id
        return customer_id
    return global_id.node_id if global_id.type_name == "Customer" else customer_id


def cli_access() -> RequestAccess:
    """A `RequestAccess` for one command, so its changes reach the audit log like a request's."""
    from app.privacy.access import RequestAccess

    return RequestAccess(CLI_PRINCIPAL, request_id=f"cli-{uuid.uuid4().hex}")


async def _audit(db: Database, customer_id: str, action: str, fields: list[str]) -> None:
    """Write the CLI's audit event for what it did to the customer."""
    from app.privacy.audit import write_request_audit

    access = cli_access()
    access.record_change(customer_id, action, fields)
    await write_request_audit(db, access)


async def _export(db: Database, settings: Settings, customer_id: str) -> DataExport:
    from app.graph import open_customer_graph
    from app.privacy.export import export_customer_data

    async with open_customer_graph(settings) as graph:
        export = await export_customer_data(db, graph, customer_id=customer_id)
    await _audit(db, export.customer_id, "export", EXPORT_AUDIT_FIELDS)
    return export


@dsar_app.command("export")
def export_command(
    customer_id: Annotated[str, typer.Argument(help="The customer's id (store or global id).")],
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Write everything held or linked about a customer as one JSON document."""
    from app.errors import NotFoundError
    from app.store.db import run_with_database

    settings = Settings()
    try:
        export = run_with_database(
            settings.database_url, lambda db: _export(db, settings, store_id(customer_id))
        )
    except NotFoundError:
        messages.print("[red]no customer with that id[/red]")
        raise typer.Exit(1) from None
    data = orjson.dumps(export.document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    for report in export.sources:
        colour = "green" if report.status.value in ("OK", "NOT_LINKED") else "yellow"
        messages.print(f"[{colour}]{report.system}: {report.status.value}[/{colour}]")
    if output is None:
        typer.echo(data.decode())
    else:
        output.write_bytes(data + b"\n")
        messages.print(f"[green]wrote {output}[/green]")


async def _erase(db: Database, settings: Settings, customer_id: str) -> ErasureOutcome:
    from app.graph import open_customer_graph
    from app.privacy.erasure import erase_customer

    async with open_customer_graph(settings) as graph:
        outcome = await erase_customer(
            db, graph, settings, customer_id=customer_id, requested_by=CLI_PRINCIPAL.id
        )
    await _audit(db, outcome.customer_id, "erase", ERASURE_AUDIT_FIELDS)
    return outcome


@dsar_app.command("erase")
def erase_command(
    customer_id: Annotated[str, typer.Argument(help="The customer's id (store or global id).")],
) -> None:
    """Erase a customer from the gateway and every linked system; run again to retry.

    Exits 0 once every system reports the person erased, 3 while one has not (yet).
    """
    from app.errors import NotFoundError
    from app.store.db import run_with_database

    settings = Settings()
    try:
        outcome = run_with_database(
            settings.database_url, lambda db: _erase(db, settings, store_id(customer_id))
        )
    except NotFoundError:
        messages.print("[red]no customer (or erased customer) with that id[/red]")
        raise typer.Exit(1) from None
    for system in outcome.systems:
        colour = "green" if system.state.value in ("done", "not_found") else "yellow"
        detail = f" ({system.detail})" if system.detail else ""
        messages.print(f"[{colour}]{system.system}: {system.state.value}{detail}[/{colour}]")
    for lookalike in outcome.lookalikes:
        kinds = ", ".join(lookalike.kinds)
        messages.print(
            f"[yellow]look-alike: customer {lookalike.customer_id} also held: {kinds} "
            f"({lookalike.status}; a steward reviews it in erasureLookalikes)[/yellow]"
        )
    if not outcome.complete:
        messages.print("[yellow]erasure incomplete: run the command again to retry[/yellow]")
        raise typer.Exit(EXIT_INCOMPLETE)
    messages.print(f"[green]customer {outcome.customer_id} erased[/green]")
