"""The command-line parameters `c360 dedupe` and `c360 import` share for reading a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CsvFile = Annotated[Path, typer.Argument(help="CSV file of person records, UTF-8, with a header.")]
FieldMapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map", help="CSVCOL=FIELD, repeatable. Columns named like a FIELD map themselves."
    ),
]
