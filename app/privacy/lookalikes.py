"""The stewards' queue of erasure look-alikes: live customers that held an erased person's
identifiers. Each is either the same person under a second record (erase it too, with
`eraseCustomer`: the entry goes with it) or someone else (dismiss it here)."""

from __future__ import annotations

from app.errors import ConflictError, InvalidInputError, NotFoundError
from app.pagination import Page, decode_cursor, encode_cursor
from app.store.db import Database
from app.store.models import ErasureLookalike, LookalikeStatus
from app.store.repositories import erasures as repo
from app.store.types import utcnow


async def pending_lookalikes(
    db: Database, *, first: int, after: str | None
) -> tuple[Page[ErasureLookalike], int]:
    """A page of look-alikes awaiting a steward, oldest first, and how many await."""
    position = None
    if after is not None:
        (position,) = decode_cursor(after, 1)
        if not isinstance(position, int):
            raise InvalidInputError("malformed cursor", argument="after")
    async with db.session() as session:
        rows, more = await repo.pending_lookalikes(session, first=first, after=position)
        total = await repo.count_pending_lookalikes(session)
    page = Page(
        items=rows,
        cursors=[encode_cursor(row.id) for row in rows],
        has_next_page=more,
        has_previous_page=after is not None,
    )
    return page, total


async def dismiss_lookalike(
    db: Database, *, lookalike_id: int, decided_by: str
) -> ErasureLookalike:
    """Record a steward's finding that the look-alike is someone else than the erased person."""
    async with db.transaction() as session:
        row = await session.get(ErasureLookalike, lookalike_id)
        if row is None:
            raise NotFoundError("look-alike not found")
        if row.status != LookalikeStatus.PENDING:
            raise ConflictError("the look-alike was already reviewed", status=row.status)
        row.status = LookalikeStatus.DISMISSED.value
        row.decided_at, row.decided_by = utcnow(), decided_by
    return row
