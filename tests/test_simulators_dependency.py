"""The simulators are the demo's and the tests', not the gateway's: no gateway module imports
them (an import contract in pyproject.toml, held by `make lint`), and the served app and the
`c360` command load them only through the `c360.commands` entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from composition.cli import app as cli

ROOT = Path(__file__).resolve().parents[1]


def test_the_served_app_loads_no_simulator() -> None:
    # What a `c360 serve` worker imports to serve requests.
    code = (
        "import sys, composition.asgi; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'simulators'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert loaded == "[]"


def test_the_demo_commands_come_from_the_simulators_package() -> None:
    result = CliRunner().invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in ("seed", "sim", "demo"):
        assert f" {command} " in result.output
