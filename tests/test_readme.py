"""The README tells the truth: its error codes are the ones the code sends, its examples run."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVER_PACKAGES = ("composition", "app", "schema", "connectors")
CODE = re.compile(r"^[A-Z]+(?:_[A-Z]+)+$|^[A-Z]{4,}$")
# Calls whose positional arguments include the `extensions.code` of the error they make.
_CODE_CARRIERS = re.compile(r"(Rejection|Rejected|Error|_error_payload|_error_response)$")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def readme_error_codes() -> set[str]:
    """The codes of the table in the README's "Errors and limits" section."""
    return set(re.findall(r"^\| `([A-Z_]+)` \|", _section("Errors and limits"), re.M))


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _codes_in(tree: ast.Module) -> set[str]:
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def value(node: ast.AST | None) -> str | None:
        if isinstance(node, ast.Name):
            found = constants.get(node.id)
        elif isinstance(node, ast.Constant):
            found = node.value
        else:
            return None
        return found if isinstance(found, str) and CODE.match(found) else None

    found: set[str] = set()
    for node in ast.walk(tree):
        candidates: list[ast.AST | None] = []
        if isinstance(node, ast.ClassDef):  # `code = "X"` of an error class
            candidates += [
                item.value
                for item in node.body
                if isinstance(item, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "code" for t in item.targets)
            ]
        elif isinstance(node, ast.Dict):  # {"code": "X"}
            candidates += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "code"
            ]
        elif isinstance(node, ast.Call):  # code="X", HTTPRejection(400, "...", "X")
            candidates += [kw.value for kw in node.keywords if kw.arg == "code"]
            if _CODE_CARRIERS.search(_callee(node)):
                candidates += node.args
        found |= {code for code in map(value, candidates) if code is not None}
    return found


def emitted_error_codes() -> set[str]:
    """Every `extensions.code` the server's code can put in a response."""
    codes: set[str] = set()
    for package in SERVER_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "simulators" in path.parts or "migrations" in path.parts:
                continue  # the vendors' fakes and the schema history send no gateway errors
            codes |= _codes_in(ast.parse(path.read_text(encoding="utf-8")))
    return codes


def test_the_scan_finds_codes_from_every_kind_of_emitter():
    # given / when
    emitted = emitted_error_codes()

    # then: error classes, HTTP refusals, persisted queries, validation rules, the classifier
    assert {
        "NOT_FOUND",
        "UNSUPPORTED_MEDIA_TYPE",
        "PERSISTED_QUERY_NOT_FOUND",
        "QUERY_TOO_COMPLEX",
        "GRAPHQL_PARSE_FAILED",
    } <= emitted


def test_the_readme_lists_exactly_the_error_codes_the_server_sends():
    # when
    documented, emitted = readme_error_codes(), emitted_error_codes()

    # then
    assert emitted - documented == set(), "sent but not in the README"
    assert documented - emitted == set(), "in the README but never sent"


def test_the_first_query_example_sets_every_variable_it_uses(tmp_path):
    # given: the shell block of "A first query"
    block = re.search(r"```bash\n(.*?)```", _section("A first query"), re.S)
    assert block is not None
    script = block.group(1)
    used = set(re.findall(r"\$([A-Z_]+)\b", script))
    assigned = set(re.findall(r"^([A-Z_]+)=", script, re.M))

    # then
    assert used <= assigned, f"used but never set: {used - assigned}"
    # and the line that sets the key prints the key alone (stdout) once migrated
    creator = next(line for line in script.splitlines() if line.startswith("KEY="))
    command = re.fullmatch(r"KEY=\$\((.*)\)", creator)
    assert command is not None
    bin_dir = Path(sys.executable).parent
    environment = {"C360_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c360.db"}
    subprocess.run([bin_dir / "c360", "db", "upgrade"], env=environment, check=True)
    argv = command.group(1).replace(".venv/bin/", f"{bin_dir}/").split()
    printed = subprocess.run(argv, env=environment, capture_output=True, text=True, check=True)
    assert re.fullmatch(r"c360_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n", printed.stdout)
