"""The `acyclic_modules` import contract (tests/import_contracts.py) on small import graphs."""

from __future__ import annotations

import grimp

from tests.import_contracts import AcyclicModulesContract

MODULES = ("pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c", "pkg.sub.d", "other", "other.x")


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in MODULES:
        graph.add_module(module)
    for line, (importer, imported) in enumerate(imports, start=1):
        graph.add_import(
            importer=importer,
            imported=imported,
            line_number=line,
            line_contents=f"from {imported} import thing",
        )
    return graph


def _check(graph: grimp.ImportGraph, packages: list[str]) -> tuple[bool, list[list[str]]]:
    contract = AcyclicModulesContract(
        name="no circles", session_options={}, contract_options={"packages": packages}
    )
    check = contract.check(graph, verbose=False)
    circles = [
        [f"{step['importer']}:{step['line_number']}" for step in circle]
        for circle in check.metadata["circles"]
    ]
    return check.kept, circles


def test_a_circle_across_subpackages_breaks_the_contract_once_with_its_lines():
    # given: pkg.a -> pkg.sub.c -> pkg.b -> pkg.a, and an import out of the circle
    graph = _graph(
        ("pkg.a", "pkg.sub.c"), ("pkg.sub.c", "pkg.b"), ("pkg.b", "pkg.a"), ("pkg.b", "pkg.sub.d")
    )

    # when
    kept, circles = _check(graph, ["pkg"])

    # then: one circle, from its smallest module, with the line of each of its imports
    assert not kept
    assert circles == [["pkg.a:1", "pkg.sub.c:2", "pkg.b:3"]]


def test_packages_that_use_each_other_module_by_module_one_way_keep_it():
    # given: pkg and pkg.sub depend on each other as packages, but no module comes back
    graph = _graph(("pkg.a", "pkg.sub.c"), ("pkg.sub.d", "pkg.b"), ("pkg.b", "pkg.sub.c"))

    # when
    kept, circles = _check(graph, ["pkg"])

    # then
    assert kept
    assert circles == []


def test_only_the_listed_packages_are_checked():
    # given: a circle in another package
    graph = _graph(("other", "other.x"), ("other.x", "other"))

    # when / then
    assert _check(graph, ["pkg"]) == (True, [])
    assert _check(graph, ["other"]) == (False, [["other:1", "other.x:2"]])
