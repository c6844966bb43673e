"""The acquisition columns of a `c360 import` file: `acquired_at`, `acquisition_channel` and
`acquisition_campaign` (by name, or named with --map COL=FIELD), stored for the customers the
import linked, with provenance rule `import`."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from app.business.acquisition import ExternalAcquisition, NewAcquisition, checked
from app.errors import InvalidInputError

ACQUISITION_FIELDS = ("acquired_at", "acquisition_channel", "acquisition_campaign")


def split_field_map(items: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The --map items for person fields, and {CSV column: acquisition field} for the rest."""
    person, acquisition = [], {}
    for item in items:
        column, _, field = (part.strip() for part in item.partition("="))
        if field in ACQUISITION_FIELDS:
            acquisition[column] = field
        else:
            person.append(item)
    return person, acquisition


def _instant(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def read_acquisitions_csv(
    path: Path, *, id_column: str, field_map: Mapping[str, str], system: str
) -> list[ExternalAcquisition]:
    """The rows with an `acquired_at`; `InvalidInputError` names the first bad line."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[: 64 * 1024], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    header = [name for name in reader.fieldnames or [] if name is not None]
    columns = {field: column for column, field in field_map.items()}
    for column in header:
        if column.strip().lower() in ACQUISITION_FIELDS:
            columns.setdefault(column.strip().lower(), column)
    if "acquired_at" not in columns:
        return []
    found = []
    for line, row in enumerate(reader, start=2):
        raw = (row.get(columns["acquired_at"]) or "").strip()
        if not raw:
            continue
        channel = row.get(columns.get("acquisition_channel", ""), None)
        campaign = row.get(columns.get("acquisition_campaign", ""), None)
        try:
            acquired_at = _instant(raw)
            checked(NewAcquisition("", acquired_at, system, channel, campaign))
        except ValueError:
            raise InvalidInputError(
                f"{path}, line {line}: acquired_at {raw[:40]!r} is not a date or date-time "
                "(ISO 8601)",
                field="acquired_at",
            ) from None
        except InvalidInputError as error:
            raise InvalidInputError(f"{path}, line {line}: {error.message}") from None
        record_id = (row.get(id_column) or "").strip()
        found.append(ExternalAcquisition(record_id, acquired_at, channel, campaign))
    return found
