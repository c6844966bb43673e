"""Write a `ConnectorsConfig` back as a connectors TOML file (for `c360 demo` and tests).

Only what the file format needs: tables of strings, numbers, booleans, lists and inline
tables in lists (a described system's erase steps). The
config never holds a secret (`token_env` names a variable), so the file never does either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from connectors.registry import ConnectorsConfig


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + ", ".join(pairs) + " }"
    # A JSON string is a valid TOML basic string (same escapes).
    return orjson.dumps(str(value)).decode()


def _key(key: str) -> str:
    """A bare key when TOML allows one, else a quoted one (`"page[size]"`, `"a.b"`)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else orjson.dumps(key).decode()


def _table(name: str, values: Mapping[str, Any], lines: list[str]) -> None:
    scalars = {k: v for k, v in values.items() if not isinstance(v, Mapping) and v is not None}
    tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
    lines.append(f"[{name}]")
    lines.extend(f"{_key(key)} = {_value(value)}" for key, value in scalars.items())
    lines.append("")
    for key, table in tables.items():
        _table(f"{name}.{_key(key)}", table, lines)


def dump_connectors_config(config: ConnectorsConfig) -> str:
    """The TOML text of `config`; `parse_connectors_config` reads it back unchanged."""
    lines: list[str] = []
    for system, settings in config.connectors.items():
        _table(f"connectors.{system}", settings.model_dump(mode="json"), lines)
    return "\n".join(lines)
