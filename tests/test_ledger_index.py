"""The ledger index (pure) and the ledger read as one from a local store."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from crawler import ledger_index
from crawler.gates.decision import Decision
from crawler.ledger import Ledger
from crawler.ledger_reader import find, ledger_files, records
from crawler.storage.local import LocalStore


def _lookup(index: bytes, url: str) -> list[tuple[int, int]]:
    key = ledger_index.url_key(url)
    start, length = ledger_index.bucket(index[:ledger_index.HEADER_SIZE], key)
    return ledger_index.spans_of(index[start:start + length], key)


def test_index_finds_every_line_of_a_url() -> None:
    spans = [(f"http://a.test/{i % 700}", i * 10, 10) for i in range(3000)]
    index = ledger_index.build(spans)
    assert len(index) == ledger_index.HEADER_SIZE + 3000 * 20
    for url in ("http://a.test/0", "http://a.test/699", "http://a.test/5"):
        assert sorted(_lookup(index, url)) == sorted((o, n) for u, o, n in spans if u == url)
    assert _lookup(index, "http://a.test/nope") == []
    assert len(ledger_index.keys(index)) == 700


def test_records_sorted_by_key_and_a_keys_lines_in_file_order() -> None:
    spans = [(f"http://a.test/{i % 997}", i * 10, 10) for i in range(5000)]
    index = ledger_index.build(spans)
    records = list(ledger_index._RECORD.iter_unpack(index[ledger_index.HEADER_SIZE:]))
    assert [(k, o) for k, o, _n in records] == sorted(
        (ledger_index.url_key(u), o) for u, o, _n in spans)


def test_building_an_index_takes_about_twice_its_size() -> None:
    """Sorting all lines at once as Python objects peaked near ten times the index's size:
    47 MB when a 50,000-page run closed."""
    spans = ((f"http://a.test/{i}", i * 300, 300) for i in range(100_000))
    tracemalloc.start()
    try:
        index = ledger_index.build(spans)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(index) == ledger_index.HEADER_SIZE + 100_000 * 20
    assert peak < 3 * len(index)


def test_empty_index() -> None:
    index = ledger_index.build([])
    assert _lookup(index, "http://a.test/") == [] and ledger_index.keys(index) == set()


def test_line_spans_skip_torn_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_bytes(b'{"url": "http://a.test/"}\nnot json\n{"url": 3}\n{"url": "http://b.test/"')
    assert list(ledger_index.line_spans(path)) == [("http://a.test/", 0, 26)]


def test_runs_read_as_one_and_found_through_the_index(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "s")
    for run in ("r1", "r2", "r3"):
        ledger = Ledger(store, run)
        for i in range(200):
            ledger.record(f"http://a.test/{i}", Decision.allow("allowlist", f"{run} {i}"))
        if run != "r3":
            ledger.close()  # r3 is still going: no index yet
    files = ledger_files(store)
    assert [(f.run_id, f.index is not None) for f in files] == [
        ("r1", True), ("r2", True), ("r3", False)]
    assert len(list(records(store))) == 600 and len(list(records(store, "r2"))) == 200
    found, reads = find(store, "http://a.test/7")
    assert [r["run_id"] for r in found] == ["r1", "r2", "r3"]
    assert (reads.indexed, reads.scanned) == (2, 1)
    r3 = (tmp_path / "s" / files[2].path).stat().st_size
    assert reads.bytes_read < r3 + 2 * (ledger_index.HEADER_SIZE + 200 * 20)
    found, reads = find(store, "http://a.test/7", "r1")
    assert [r["sentence"] for r in found] == ["r1 7"] and reads.scanned == 0
