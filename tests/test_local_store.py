"""Local store: item and sidecar appear together or not at all, at every crash point."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest

from crawler.jsonl import read_jsonl
from crawler.scrapy_adapters.group_commit import COMMIT_SWITCH_INTERVAL, commit_group
from crawler.storage import local
from crawler.storage.base import StoreError, StoreItem
from crawler.storage.keys import item_dir, safe_host
from crawler.storage.local import LocalStore


def make_item(url: str = "http://a.example/x", body: bytes = b"<html>x</html>") -> StoreItem:
    digest = hashlib.sha256(body).hexdigest()
    return StoreItem(url=url, host="a.example", kind="page", content=body,
                     content_type="text/html", sha256=digest,
                     sidecar={"url": url, "sha256": digest})


def assert_consistent(root: Path) -> None:
    """Every item folder holds both files; every manifest line points at such a folder."""
    for folder in (root / "items").rglob("*"):
        if folder.is_dir() and any(p.is_file() for p in folder.iterdir()):
            names = sorted(p.name for p in folder.iterdir())
            assert names == ["content.html", "content.html.license.json"], names
            card = json.loads((folder / "content.html.license.json").read_text())
            assert hashlib.sha256((folder / "content.html").read_bytes()).hexdigest() == \
                card["sha256"]
    for entry in read_jsonl(root / "manifest.jsonl"):
        assert (root / entry["content"]).is_file() and (root / entry["sidecar"]).is_file()
    # no writer keeps half-staged items around (each writer has its own staging folder)
    assert [p for d in (root / ".staging").iterdir() if d.is_dir() for p in d.iterdir()] == []


def test_put_writes_item_sidecar_and_manifest(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    committed = store.put(make_item())
    assert committed.new
    assert (tmp_path / committed.content_path).read_bytes() == b"<html>x</html>"
    assert json.loads((tmp_path / committed.sidecar_path).read_text())["url"] == \
        "http://a.example/x"
    again = store.put(make_item())
    assert not again.new and again.content_path == committed.content_path
    store.close()
    assert len(read_jsonl(tmp_path / "manifest.jsonl")) == 1
    changed = LocalStore(tmp_path).put(make_item(body=b"<html>y</html>"))
    assert changed.new and changed.item_dir != committed.item_dir  # a new version
    assert len(read_jsonl(tmp_path / "manifest.jsonl")) == 2


def _crash_at_write(n: int):
    real = local._write
    calls = {"n": 0}

    def failing(path: Path, data: bytes, fsync: bool = False) -> None:
        calls["n"] += 1
        if calls["n"] == n:
            path.write_bytes(data[: len(data) // 2])  # a torn write, then the crash
            raise OSError("injected crash")
        real(path, data, fsync)

    return mock.patch.object(local, "_write", failing)


@pytest.mark.parametrize("step", ["content", "sidecar", "rename", "manifest"])
def test_crash_at_every_step_leaves_no_half_item(tmp_path: Path, step: str) -> None:
    store = LocalStore(tmp_path)
    store.put(make_item("http://a.example/ok", b"<html>ok</html>"))
    patches = {
        "content": _crash_at_write(1),
        "sidecar": _crash_at_write(2),
        "rename": mock.patch.object(local.os, "rename", side_effect=OSError("injected crash")),
        "manifest": mock.patch.object(store._manifest, "write_many_locked",
                                      side_effect=OSError("injected crash")),
    }
    with patches[step], pytest.raises(StoreError):
        store.put(make_item())
    # the process "dies" here: reopen the store as the next run would
    reopened = LocalStore(tmp_path)
    assert_consistent(tmp_path)
    listed = {e["url"] for e in read_jsonl(tmp_path / "manifest.jsonl")}
    assert listed == {"http://a.example/ok"}
    reopened.put(make_item())  # the rerun completes the item, once
    reopened.close()
    assert_consistent(tmp_path)
    urls = [e["url"] for e in read_jsonl(tmp_path / "manifest.jsonl")]
    assert sorted(urls) == ["http://a.example/ok", "http://a.example/x"]


def test_torn_manifest_tail_is_trimmed(tmp_path: Path) -> None:
    LocalStore(tmp_path).put(make_item())
    with (tmp_path / "manifest.jsonl").open("a") as fh:
        fh.write('{"url": "http://a.example/half", "sha')
    store = LocalStore(tmp_path)
    store.put(make_item("http://a.example/y", b"y"))
    store.close()
    assert [e["url"] for e in read_jsonl(tmp_path / "manifest.jsonl")] == [
        "http://a.example/x", "http://a.example/y"]


@pytest.mark.parametrize("host", ["..", "../../etc", "a/../../b", "%2e%2e%2fetc", "a\x00b",
                                  "x" * 5000, "bücher.example", ".", "", "a\\..\\b"])
def test_hostile_hosts_stay_inside_the_store(tmp_path: Path, host: str) -> None:
    segment = safe_host(host)
    assert segment not in ("", ".", "..") and "/" not in segment and "\\" not in segment
    assert "\x00" not in segment and len(segment) <= 100
    rel = item_dir(host, "http://x/../../" + host, "0" * 64)
    assert (tmp_path / rel).resolve().is_relative_to(tmp_path.resolve())


def test_unwritable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot open local store"):
        LocalStore(blocker / "corpus")


def test_a_group_commit_orders_writes_barriers_renames_and_manifest(tmp_path: Path) -> None:
    """The order of one group commit, recorded from the real calls: every file of the
    group written, one barrier, every folder renamed into place, a second barrier, then
    the manifest lines in one append (with its fsync)."""
    store = LocalStore(tmp_path)
    calls: list[str] = []
    real_write, real_sync, real_rename = local._write, local.sync_filesystem, os.rename
    real_append = store._manifest.write_many_locked

    def write(path: Path, data: bytes, fsync: bool = False) -> None:
        calls.append(f"write {path.name}")
        real_write(path, data, fsync)

    def sync(path: Path) -> None:
        calls.append("barrier")
        real_sync(path)

    def rename(source: Path, target: Path) -> None:
        calls.append("rename")
        real_rename(source, target)

    def append(records: list[dict[str, object]]) -> None:
        calls.append(f"manifest {len(records)} line(s)")
        real_append(records)

    items = [make_item(f"http://a.example/{i}", f"<html>{i}</html>".encode()) for i in range(3)]
    with mock.patch.object(local, "_write", write), \
            mock.patch.object(local, "sync_filesystem", sync), \
            mock.patch.object(local.os, "rename", rename), \
            mock.patch.object(store._manifest, "write_many_locked", append):
        results = store.put_many(items)
    assert [r.new for r in results] == [True, True, True]  # type: ignore[union-attr]
    assert calls == ["write content.html", "write content.html.license.json"] * 3 + [
        "barrier", "rename", "rename", "rename", "barrier", "manifest 3 line(s)"]
    store.close()
    assert_consistent(tmp_path)
    assert len(read_jsonl(tmp_path / "manifest.jsonl")) == 3


def test_a_group_is_committed_with_a_short_switch_interval(tmp_path: Path) -> None:
    """The commit thread takes the GIL back after every system call: while a group is
    committed the interval is short, and Python's own comes back afterwards, also when
    the store raises."""
    seen: list[float] = []

    class Recording(LocalStore):
        def put_many(self, items):  # type: ignore[no-untyped-def]
            seen.append(sys.getswitchinterval())
            return super().put_many(items)

    before = sys.getswitchinterval()
    store = Recording(tmp_path)
    results = commit_group(store, [make_item(f"http://a.example/{i}") for i in range(2)])
    assert [r.new for r in results] == [True, True]  # type: ignore[union-attr]
    assert seen == [pytest.approx(COMMIT_SWITCH_INTERVAL)] and sys.getswitchinterval() == before
    store.close()
    with pytest.raises(StoreError, match="read-only"):  # closed: put_many raises
        commit_group(store, [make_item()])
    assert sys.getswitchinterval() == before
    assert_consistent(tmp_path)


def test_overlapping_group_commits_restore_the_interval_once_both_end(tmp_path: Path) -> None:
    """Two crawls in one process may commit at once. When the first to start ends first,
    the interval stays short for the other, and once that one ends too, the interval
    found before the first is back."""
    first_in, second_in, first_done, seen = (threading.Event(), threading.Event(),
                                             threading.Event(), [])

    class First(LocalStore):
        def put_many(self, items):  # type: ignore[no-untyped-def]
            first_in.set()
            assert second_in.wait(10)
            return super().put_many(items)

    class Second(LocalStore):
        def put_many(self, items):  # type: ignore[no-untyped-def]
            second_in.set()
            assert first_done.wait(10)
            seen.append(sys.getswitchinterval())
            return super().put_many(items)

    before = sys.getswitchinterval()
    first, second = First(tmp_path / "a"), Second(tmp_path / "b")
    one = threading.Thread(target=commit_group, args=(first, [make_item()]))
    two = threading.Thread(target=commit_group, args=(second, [make_item()]))
    one.start()
    assert first_in.wait(10)
    two.start()
    one.join(10)
    first_done.set()
    two.join(10)
    assert seen == [pytest.approx(COMMIT_SWITCH_INTERVAL)]  # still short after the first
    assert sys.getswitchinterval() == before
    for root in (tmp_path / "a", tmp_path / "b"):
        assert [e["url"] for e in read_jsonl(root / "manifest.jsonl")] == ["http://a.example/x"]
    first.close()
    second.close()
