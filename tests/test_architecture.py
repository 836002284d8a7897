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


def test_request_gates_meet_requests_in_their_registry_order() -> None:
    """The registry is the order: Scrapy calls downloader middlewares by position."""
    from importlib import import_module

    from crawler.scrapy_adapters.components import DOWNLOADER_MIDDLEWARES, REQUEST_GATES

    positions = [position for _gate, _path, position in REQUEST_GATES]
    assert positions == sorted(set(positions))
    assert positions[0] == min(p for p in DOWNLOADER_MIDDLEWARES.values() if p and p > 5)
    for _gate, path, _position in REQUEST_GATES:
        module, name = path.rsplit(".", 1)
        assert hasattr(import_module(module).__dict__[name], "process_request")
