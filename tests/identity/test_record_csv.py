"""Reading person records from CSV: column mapping and the errors a user can cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InvalidInputError
from app.identity.record_csv import parse_field_map, read_records_csv


def _write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_named_like_fields_map_themselves_and_map_adds_others(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id,First,family_name,E-mail,notes\n1,Ann,Lee,ann@example.org,x\n2,Bo,Kim,,y\n",
    )

    records = read_records_csv(
        path, id_column="id", field_map=parse_field_map(["First=given_name", "E-mail=email"])
    )

    assert [(r.record_id, r.given_name, r.family_name, r.email) for r in records] == [
        ("1", "Ann", "Lee", "ann@example.org"),
        ("2", "Bo", "Kim", None),
    ]
    assert records[0].source == "people"


def test_semicolon_files_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid;given_name;city\n1;Zoë;Köln\n".encode())
    [record] = read_records_csv(path, id_column="id")
    assert (record.given_name, record.city) == ("Zoë", "Köln")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["nope"], "not of the form CSVCOL=FIELD"),
        (["col=shoe_size"], "unknown field 'shoe_size'"),
        (["a=email", "a=phone"], "names column 'a' twice"),
        (["a=email", "b=email"], "two columns to field 'email'"),
    ],
)
def test_bad_maps_are_refused(items: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_field_map(items)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("name,email\nAnn,a@example.org\n", "no id column 'id'"),
        ("id,email\n,a@example.org\n", "line 2: the id is empty"),
        ("id,email\n1,a@example.org\n1,b@example.org\n", "id '1' already used on line 2"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_records_csv(_write(tmp_path, content), id_column="id")


def test_a_mapped_column_must_exist(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,email\n1,a@example.org\n")
    with pytest.raises(InvalidInputError, match="column 'mail' given in --map"):
        read_records_csv(path, id_column="id", field_map={"mail": "email"})


def test_non_utf8_and_missing_files_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,given_name\n1,Zoë\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_records_csv(latin, id_column="id")
    with pytest.raises(InvalidInputError, match="no such file"):
        read_records_csv(tmp_path / "missing.csv", id_column="id")
    with pytest.raises(InvalidInputError, match="not a file"):
        read_records_csv(tmp_path, id_column="id")
