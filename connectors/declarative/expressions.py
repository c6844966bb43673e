"""jmespath expressions compiled when the connectors file loads, with two string helpers.

jmespath has no way to split a string, and a support desk often holds one `name`; `split` and
`lower` are added as custom functions. An expression naming any other unknown function is
rejected at load, not when the first response arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import jmespath
from jmespath import functions
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult
from pydantic import PlainSerializer, PlainValidator


class _Functions(functions.Functions):
    @functions.signature({"types": ["string"]}, {"types": ["string"]})
    def _func_split(self, value: str, separator: str) -> list[str]:
        return value.split(separator) if separator else value.split()

    @functions.signature({"types": ["string", "null"]})
    def _func_lower(self, value: str | None) -> str | None:
        return None if value is None else value.lower()


_OPTIONS = jmespath.Options(custom_functions=_Functions())
KNOWN_FUNCTIONS = frozenset(_Functions.FUNCTION_TABLE)


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled jmespath expression and its source text (what the file says)."""

    source: str
    parsed: ParsedResult

    def search(self, data: Any) -> Any:
        """The value the expression selects in `data` (None when nothing matches)."""
        return self.parsed.search(data, options=_OPTIONS)


def _function_names(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_function_names(child) for child in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    names = {node["value"]} if node.get("type") == "function_expression" else set()
    return names | _function_names(node.get("children", []))


def compile_expression(value: Any) -> Expression:
    """Compile `value`; a ValueError says what is wrong with it."""
    if isinstance(value, Expression):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a jmespath expression (a non-empty string)")
    try:
        parsed = jmespath.compile(value)
    except JMESPathError as exc:
        reason = str(exc).splitlines()[0]
        raise ValueError(f"bad jmespath expression {value!r}: {reason}") from None
    unknown = _function_names(parsed.parsed) - KNOWN_FUNCTIONS
    if unknown:
        raise ValueError(
            f"bad jmespath expression {value!r}: unknown function {sorted(unknown)[0]}()"
        )
    return Expression(value, parsed)


Expr = Annotated[
    Expression,
    PlainValidator(compile_expression),
    PlainSerializer(lambda expression: expression.source, return_type=str),
]
