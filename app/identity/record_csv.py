"""Reading person records from a CSV file: column mapping to FIELDs, with clear errors.

Shared by `c360 dedupe` and `c360 import`. Every problem with the file or the mapping raises
`InvalidInputError` with a message meant for the person who runs the command.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from app.errors import InvalidInputError
from app.identity.record import FIELDS, PersonRecord

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"


def parse_field_map(items: Iterable[str]) -> dict[str, str]:
    """Parse `CSVCOL=FIELD` items into {CSV column: FIELD}.

    Raises `InvalidInputError` for an item without "=", an unknown FIELD, or a column or FIELD
    named twice.
    """
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, field = (part.strip() for part in item.partition("="))
        if not sep or not column or not field:
            raise InvalidInputError(f"--map {item!r} is not of the form CSVCOL=FIELD", field="map")
        if field not in FIELDS:
            raise InvalidInputError(
                f"--map {item!r}: unknown field {field!r}; fields are: {', '.join(FIELDS)}",
                field="map",
            )
        if column in mapping:
            raise InvalidInputError(f"--map names column {column!r} twice", field="map")
        if field in mapping.values():
            raise InvalidInputError(f"--map maps two columns to field {field!r}", field="map")
        mapping[column] = field
    return mapping


def column_mapping(
    header: Iterable[str], *, id_column: str, field_map: Mapping[str, str]
) -> dict[str, str]:
    """{CSV column: FIELD}: the explicit `field_map`, plus columns whose name is a FIELD.

    Raises `InvalidInputError` when a mapped column is not in the header.
    """
    columns = list(header)
    missing = [column for column in field_map if column not in columns]
    if missing:
        raise InvalidInputError(
            f"column {missing[0]!r} given in --map is not in the file "
            f"(columns: {', '.join(columns)})",
            field="map",
        )
    mapping = dict(field_map)
    taken = set(mapping.values())
    for column in columns:
        name = column.strip().lower()
        if column not in mapping and column != id_column and name in FIELDS and name not in taken:
            mapping[column] = name
            taken.add(name)
    return mapping


def sniffed_dialect(text: str) -> type[csv.Dialect]:
    """The CSV dialect of a file's text, as `read_records_csv` reads it."""
    return _dialect(text[:_SNIFF_BYTES])


def _dialect(sample: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel


def read_records_csv(
    path: Path,
    *,
    id_column: str,
    field_map: Mapping[str, str] | None = None,
    source: str | None = None,
) -> list[PersonRecord]:
    """Read a UTF-8 CSV file (with a header row) into `PersonRecord`s.

    `id_column` gives `record_id`; `field_map` maps CSV columns to FIELDs, and unmapped columns
    named like a FIELD map themselves. `source` defaults to the file name without extension.
    Raises `InvalidInputError` for a missing, empty, non-UTF-8 or malformed file, a missing id
    column, and empty or repeated ids.
    """
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file", field="file")
    if not path.is_file():
        raise InvalidInputError(f"{path}: not a file", field="file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save the file as UTF-8",
            field="file",
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror})", field="file") from None
    if not text.strip():
        raise InvalidInputError(f"{path}: the file is empty", field="file")

    reader = csv.DictReader(text.splitlines(), dialect=_dialect(text[:_SNIFF_BYTES]))
    header = [name for name in reader.fieldnames or [] if name is not None]
    if id_column not in header:
        raise InvalidInputError(
            f"{path}: no id column {id_column!r} (columns: {', '.join(header)})",
            field="id_column",
        )
    mapping = column_mapping(header, id_column=id_column, field_map=field_map or {})
    records: list[PersonRecord] = []
    first_row_of: dict[str, int] = {}
    try:
        for line, row in enumerate(reader, start=2):
            record_id = (row.get(id_column) or "").strip()
            if not record_id:
                raise InvalidInputError(f"{path}, line {line}: the id is empty", field="id_column")
            if record_id in first_row_of:
                raise InvalidInputError(
                    f"{path}, line {line}: id {record_id!r} already used on line "
                    f"{first_row_of[record_id]}",
                    field="id_column",
                )
            first_row_of[record_id] = line
            values = {field: row.get(column) for column, field in mapping.items()}
            records.append(PersonRecord.from_fields(record_id, values, source=source or path.stem))
    except csv.Error as exc:
        raise InvalidInputError(f"{path}: malformed CSV ({exc})", field="file") from None
    return records
