"""The code's shape, checked like behaviour: no import cycles, no module a reader cannot
hold in their head. (The layer contract between packages is import-linter's, run by
``make test``; see ``[tool.importlinter]`` in pyproject.toml.)"""

from __future__ import annotations

from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[1] / "crawler"
MAX_LINES = 500


def test_no_module_over_500_lines() -> None:
    sizes = {str(p.relative_to(PACKAGE.parent)): len(p.read_text().splitlines())
             for p in PACKAGE.rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > MAX_LINES} == {}


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("crawler")
    cycles = sorted({tuple(sorted((module, imported)))
                     for module in graph.modules
                     for imported in graph.find_modules_directly_imported_by(module)
                     if graph.find_shortest_chain(importer=imported, imported=module)})
    assert cycles == []
