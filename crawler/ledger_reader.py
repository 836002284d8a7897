"""Reading a store's ledger as one: every run's files (``ledger/<run-id>/<writer>.jsonl``)
and, in a store of before, its single ``ledger.jsonl``.

:func:`find` answers ``crawler explain URL`` through each file's index: two ranged reads
of the index and one per matching line. A file without an index (its run is still going,
or crashed) is read whole. :class:`Reads` counts what was read, so the cost is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crawler import ledger_index
from crawler.jsonl import iter_jsonl, parse_lines
from crawler.ledger import LEDGER_DIR, LEGACY_LEDGER
from crawler.storage.base import Store, StoreError


@dataclass(frozen=True)
class LedgerFile:
    run_id: str  # "" for a store's legacy ledger.jsonl
    path: str
    index: str | None  # its index, when the writer finished


def ledger_files(store: Store, run_id: str | None = None) -> list[LedgerFile]:
    """The store's ledger files (of one run, or all), oldest run first by name."""
    folder = f"{LEDGER_DIR}/{run_id}" if run_id else LEDGER_DIR
    names = set(store.list_files(folder, recursive=True))
    files = [LedgerFile(path.split("/")[1], path,
                        index if (index := ledger_index.index_path(path)) in names else None)
             for path in sorted(names)
             if path.endswith(".jsonl") and path.count("/") == 2]
    legacy = store.local_path(LEGACY_LEDGER)  # only local stores kept one in the store
    if run_id is None and legacy is not None and legacy.is_file():
        files.insert(0, LedgerFile("", LEGACY_LEDGER, None))
    return files


@dataclass
class Reads:
    """What a lookup read: files through their index, files read whole, and bytes."""
    indexed: int = 0
    scanned: int = 0
    bytes_read: int = 0
    runs: set[str] = field(default_factory=set)

    def read(self, store: Store, path: str, start: int = 0, length: int | None = None) -> bytes:
        data = store.read(path, start, length)
        self.bytes_read += len(data)
        return data


def _lookup(store: Store, file: LedgerFile, url: str, reads: Reads) -> list[dict[str, Any]]:
    if file.index is None:
        reads.scanned += 1
        data = reads.read(store, file.path)
        return [r for r in parse_lines(data, file.path) if r.get("url") == url]
    reads.indexed += 1
    key = ledger_index.url_key(url)
    start, length = ledger_index.bucket(
        reads.read(store, file.index, 0, ledger_index.HEADER_SIZE), key)
    spans = ledger_index.spans_of(reads.read(store, file.index, start, length), key)
    found = []
    for offset, size in spans:
        found += [r for r in parse_lines(reads.read(store, file.path, offset, size), file.path)
                  if r.get("url") == url]
    return found


def find(store: Store, url: str, run_id: str | None = None) -> tuple[list[dict[str, Any]], Reads]:
    """Every ledger line about ``url`` (of one run, or all), oldest first."""
    reads = Reads()
    found: list[dict[str, Any]] = []
    for file in ledger_files(store, run_id):
        reads.runs.add(file.run_id)
        try:
            found += _lookup(store, file, url, reads)
        except (StoreError, ValueError) as exc:
            raise StoreError(f"cannot read ledger {file.path}: {exc}") from exc
    found.sort(key=lambda r: str(r.get("time", "")))
    return found, reads


def records(store: Store, run_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every ledger line of the store (of one run, or all), file by file."""
    for file in ledger_files(store, run_id):
        local = store.local_path(file.path)
        if local is not None:  # streamed: a ledger can be far larger than memory
            yield from iter_jsonl(local)
        else:
            yield from parse_lines(store.read(file.path), file.path)
