"""When each record of a CSV file last changed in its source system (`c360 import
--changed-column`), so the change log dates the import's changes by the world, not the run."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from app.errors import InvalidInputError
from app.identity.record_csv import sniffed_dialect


def read_change_times(path: Path, *, id_column: str, column: str) -> dict[str, datetime]:
    """Record id -> its change time (ISO 8601; UTC when no offset is given). A blank cell
    leaves the record out; an unreadable one is `InvalidInputError` naming its line."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(text.splitlines(), dialect=sniffed_dialect(text))
    if column not in (reader.fieldnames or []):
        raise InvalidInputError(f"{path}: no column {column!r}", field="changed_column")
    found: dict[str, datetime] = {}
    for line, row in enumerate(reader, start=2):
        cell = (row.get(column) or "").strip()
        if not cell:
            continue
        try:
            at = datetime.fromisoformat(cell)
        except ValueError:
            raise InvalidInputError(
                f"{path}, line {line}: {column} is not an ISO 8601 time", field="changed_column"
            ) from None
        found[(row.get(id_column) or "").strip()] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return found
