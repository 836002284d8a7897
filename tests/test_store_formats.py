"""A store written by an earlier release stays readable and writable.

``tests/data/store-v1`` is the demo corpus as the release before store format 2 wrote it
(no ``store.json`` marker, one purpose per commit event in ``manifest_extra``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from crawler.storage.base import MARKER, READ, StoreError, StoreItem
from crawler.storage.local import LOCAL_FORMAT, LocalStore

FIXTURE = REPO / "tests" / "data" / "store-v1"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_release_one_store_reads_as_before() -> None:
    before = _tree(FIXTURE)
    store = LocalStore(FIXTURE, mode=READ)
    entries = store.entries()
    assert len(entries) == 11 and all(e["purposes"] == ["research"] for e in entries)
    for entry in entries:
        card = json.loads(store.read(entry["sidecar"]))
        assert card["sidecar_version"] == 2
        assert hashlib.sha256(store.read(entry["content"])).hexdigest() == card["sha256"]
    store.close()
    assert _tree(FIXTURE) == before  # a read-only open changes nothing


def test_release_one_store_exports_and_explains(tmp_path: Path) -> None:
    before = _tree(FIXTURE)
    proc = run_cli("export", str(FIXTURE), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0 and "item(s)" in proc.stdout, proc.stderr
    url = json.loads((FIXTURE / "manifest.jsonl").read_text().splitlines()[0])["url"]
    proc = run_cli("explain", url, "--store", str(FIXTURE))  # its ledger.jsonl, read whole
    assert proc.returncode == 0 and "store" in proc.stdout, proc.stderr
    assert "0 file(s) through their index, 1 read whole" in proc.stderr
    assert _tree(FIXTURE) == before


def test_release_one_store_takes_new_writes(tmp_path: Path) -> None:
    root = tmp_path / "store"
    shutil.copytree(FIXTURE, root)
    store = LocalStore(root)
    assert json.loads((root / MARKER).read_text()) == LOCAL_FORMAT  # it now holds packs
    [entry] = [e for e in store.entries() if e["kind"] == "page"][:1]
    content = store.read(entry["content"])
    item = StoreItem(url=entry["url"], host=entry["host"], kind="page", content=content,
                     content_type="text/html", sha256=entry["sha256"], sidecar={},
                     purpose="commercial")
    committed = store.put(item)
    assert committed.new and not committed.content_new  # a record, nothing rewritten
    store.delete(entry, "test", purpose="research")
    [after] = [e for e in store.entries() if e["url"] == entry["url"]]
    assert after["purposes"] == ["commercial"] and store.read(after["content"]) == content
    new = StoreItem(url="http://new.example/", host="new.example", kind="page",
                    content=b"<p>new</p>", content_type="text/html",
                    sha256=hashlib.sha256(b"<p>new</p>").hexdigest(), sidecar={"v": 3},
                    purpose="research")
    added = store.put(new)
    assert added.content_path.startswith("packs/") and store.read(added.content_path) == \
        b"<p>new</p>"
    store.delete(after, "test")  # a version in a folder goes with its folder
    assert not (root / after["content"]).parent.exists()
    store.close()


def test_a_store_of_a_later_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text(json.dumps({**LOCAL_FORMAT, "version": 4}))
    for mode in (READ, "write"):
        with pytest.raises(StoreError, match="format 4; this crawler reads format 3"):
            LocalStore(tmp_path, mode=mode)
    proc = run_cli("export", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "format 4" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_ledger_lines_carry_their_format_version(tmp_path: Path) -> None:
    from crawler.gates.decision import Decision
    from crawler.ledger import LEDGER_VERSION, Ledger
    from crawler.ledger_reader import records

    store = LocalStore(tmp_path / "s")
    ledger = Ledger(store, "run")
    ledger.record("http://a.test/", Decision.allow("allowlist", "ok"))
    ledger.close()
    [line] = records(store)
    assert line["v"] == LEDGER_VERSION == 1
    # lines written before the field existed read the same way
    old = json.loads((FIXTURE / "ledger.jsonl").read_text().splitlines()[0])
    assert "v" not in old and {"time", "run_id", "url", "gate", "reason"} <= set(old)
