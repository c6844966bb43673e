"""Start-up refuses a bad configuration with one line naming the setting and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

C360 = str(Path(sys.executable).parent / "c360")
PEPPER = "C360_SUPPRESSION_PEPPER"


def _run(args: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("C360_")}
    env.update(environment)
    return subprocess.run(
        [C360, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        pytest.param(PEPPER, None, id="missing secret"),
        pytest.param(PEPPER, "development-only-suppression-pepper-change-me", id="placeholder"),
        pytest.param(PEPPER, "too-short", id="too short"),
    ],
)
def test_serve_in_production_without_a_real_secret_prints_one_line_and_exits_2(
    tmp_path, setting, value
):
    # given
    environment = {
        "C360_ENVIRONMENT": "production",
        "C360_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c360.db",
    }
    if value is not None:
        environment[setting] = value

    # when
    result = _run(["serve", "--port", "1"], **environment)

    # then
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr
    if value is not None:
        assert value not in result.stderr


def test_a_malformed_setting_is_named(tmp_path):
    # when
    result = _run(
        ["db", "upgrade"],
        C360_PORT="eighty",
        C360_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/c360.db",
    )

    # then
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "invalid configuration: C360_PORT: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
    assert not (tmp_path / "c360.db").exists()
