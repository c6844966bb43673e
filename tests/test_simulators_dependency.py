"""The simulators are the demo's and the tests', not the gateway's: no gateway module imports
them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from composition.cli import app as cli

ROOT = Path(__file__).resolve().parents[1]
GATEWAY_PACKAGES = ("app", "schema", "connectors")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_no_gateway_module_imports_the_simulators() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for package in GATEWAY_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in _imported_modules(path)
        if module == "simulators" or module.startswith("simulators.")
    ]
    assert offenders == []


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
