"""The `dedupe` command end to end, through a small Typer app built here."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.identity.dedupe_command import dedupe

PEOPLE = """\
customer,first,last,email,phone,birth_date,postcode,country
c1,Jane,Doe,jane.doe@example.org,0113 496 0123,1985-07-21,LS1 4AP,GB
c2,Jane,DOE,Jane.Doe@example.org,+44 113 496 0123,21/07/1985,ls14ap,GB
c3,Oliver,Grant,og@example.com,020 7946 0999,1970-01-02,SW1A 1AA,GB
c4,William,Brown,bill.brown@example.net,0161 496 0456,3 March 1980,M1 1AE,GB
c5,Bill,Brown,bill.brown@example.net,,1980-03-03,M1 1AE,GB
"""
OTHER = """\
customer,first,last,email,birth_date
s1,Oliver,Grant,og@example.com,02/01/1970
s2,Mary,Major,mm@example.com,1990-05-05
"""
MAP = ["--map", "first=given_name", "--map", "last=family_name"]


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command()(dedupe)
    return app


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_dedupe_writes_the_duplicate_pairs_and_a_summary(app: typer.Typer, tmp_path: Path) -> None:
    # given
    people = _write(tmp_path, "people.csv", PEOPLE)
    output = tmp_path / "pairs.csv"

    # when
    result = CliRunner().invoke(
        app, [str(people), "--id-column", "customer", *MAP, "--output", str(output)]
    )

    # then
    assert result.exit_code == 0, result.output
    pairs = _pairs(output)
    assert {(p["left_id"], p["right_id"]) for p in pairs} == {("c1", "c2"), ("c4", "c5")}
    assert all(float(p["score"]) >= 0.9 for p in pairs)
    for label in ("records read", "pairs compared", "pairs found", "clusters", "seconds"):
        assert label in result.output
    assert re.search(r"records read\W+5\b", result.output)
    assert re.search(r"pairs found\W+2\b", result.output)


def test_link_pairs_records_of_the_second_file(app: typer.Typer, tmp_path: Path) -> None:
    people = _write(tmp_path, "people.csv", PEOPLE)
    other = _write(tmp_path, "other.csv", OTHER)
    output = tmp_path / "pairs.csv"

    result = CliRunner().invoke(
        app,
        [
            str(people),
            "--id-column",
            "customer",
            *MAP,
            "--link",
            str(other),
            "--output",
            str(output),
        ],
    )

    assert result.exit_code == 0, result.output
    assert [(p["left_id"], p["right_id"]) for p in _pairs(output)] == [("c3", "s1")]


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (PEOPLE.encode("utf-16"), [], "not UTF-8"),
        (PEOPLE, ["--map", "first=nickname"], "unknown field 'nickname'"),
        (PEOPLE, ["--map", "missing=email"], "column 'missing' given in --map"),
        ("", [], "the file is empty"),
        (PEOPLE.replace("customer", "client"), [], "no id column 'customer'"),
        (PEOPLE, ["--default-region", "XX"], "not a known region code"),
        (PEOPLE, ["--auto-link", "0.2", "--review", "0.5"], "thresholds must satisfy"),
    ],
)
def test_bad_input_exits_with_code_2_and_a_message(
    app: typer.Typer, tmp_path: Path, content: str | bytes, arguments: list[str], message: str
) -> None:
    people = _write(tmp_path, "people.csv", content)

    result = CliRunner().invoke(
        app,
        [str(people), "--id-column", "customer", "--output", str(tmp_path / "o.csv"), *arguments],
    )

    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("missing", ["file", "link", "output directory"])
def test_missing_files_exit_with_code_2(app: typer.Typer, tmp_path: Path, missing: str) -> None:
    people = _write(tmp_path, "people.csv", PEOPLE)
    absent = tmp_path / "absent" / "x.csv"
    arguments = {
        "file": [str(absent), "--output", str(tmp_path / "o.csv")],
        "link": [str(people), "--link", str(absent), "--output", str(tmp_path / "o.csv")],
        "output directory": [str(people), "--output", str(absent)],
    }[missing]

    result = CliRunner().invoke(app, [*arguments, "--id-column", "customer"])

    assert result.exit_code == 2
    assert "error:" in result.output
    assert "Traceback" not in result.output
