"""`acyclic_modules`, an import-linter contract type: no module imports itself back.

import-linter's own `acyclic_siblings` compares sibling packages as wholes, so it cannot tell a
circle of modules from two packages that use each other's separate modules (`schema.customers`
and `schema.history` do, one way per module), and a circle of modules spread over such packages
goes unseen (`Customer`'s field mixins were one). This contract follows every import between the
modules of its `packages` and fails on each circle of modules, with the line of each import.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    """Options: `packages`, whose modules, subpackages' too, may form no import circle."""

    packages = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = sorted(
            {name for package in self.packages for name in _with_descendants(graph, package.name)}  # type: ignore[attr-defined]
        )
        inside = set(modules)
        circles: set[tuple[str, ...]] = set()
        for importer in modules:
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & inside):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back is not None:
                    circles.add(_from_smallest((importer, *back[:-1])))
        output.verbose_print(verbose, f"Followed the imports of {len(modules)} modules.")
        return ContractCheck(
            kept=not circles,
            metadata={"circles": [_described(graph, circle) for circle in sorted(circles)]},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for circle in check.metadata["circles"]:
            output.print_error(
                " -> ".join([*(step["importer"] for step in circle), circle[0]["importer"]])
            )
            output.new_line()
            for step in circle:
                output.indent_cursor()
                output.print_error(
                    f"{step['importer']}:{step['line_number']}: {step['line_contents']}", bold=False
                )
            output.new_line()


def _with_descendants(graph: grimp.ImportGraph, package: str) -> set[str]:
    return {package} | graph.find_descendants(package)


def _from_smallest(circle: tuple[str, ...]) -> tuple[str, ...]:
    """The same circle, starting at its smallest module name (so each is found once)."""
    start = circle.index(min(circle))
    return circle[start:] + circle[:start]


def _described(graph: grimp.ImportGraph, circle: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each import of the circle, with the line that makes it."""
    steps = []
    for importer, imported in zip(circle, (*circle[1:], circle[0]), strict=True):
        details = graph.get_import_details(importer=importer, imported=imported)
        first = details[0] if details else {"line_number": "?", "line_contents": "?"}
        steps.append(
            {
                "importer": importer,
                "line_number": first["line_number"],
                "line_contents": first["line_contents"],
            }
        )
    return steps
