"""Local store: item and sidecar appear together or not at all, at every crash point."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest

from crawler.jsonl import encode, read_jsonl
from crawler.scrapy_adapters.group_commit import COMMIT_SWITCH_INTERVAL, commit_group
from crawler.storage import local, packs
from crawler.storage.base import READ, StoreError, StoreItem
from crawler.storage.keys import item_dir, safe_host
from crawler.storage.local import LOCAL_FORMAT, LocalStore
from crawler.storage.packs import split_locator


def make_item(url: str = "http://a.example/x", body: bytes = b"<html>x</html>") -> StoreItem:
    digest = hashlib.sha256(body).hexdigest()
    return StoreItem(url=url, host="a.example", kind="page", content=body,
                     content_type="text/html", sha256=digest,
                     sidecar={"url": url, "sha256": digest})


def assert_consistent(root: Path) -> None:
    """Every listed version reads back whole: its content, and a sidecar that agrees with
    it; no writer keeps staged files around."""
    reader = LocalStore(root, mode=READ)
    for entry in reader.entries():
        card = json.loads(reader.read(entry["sidecar"]))
        assert hashlib.sha256(reader.read(entry["content"])).hexdigest() == card["sha256"] == \
            entry["sha256"]
    assert [p for d in (root / ".staging").iterdir() if d.is_dir() for p in d.iterdir()] == []


def test_put_writes_item_sidecar_and_manifest(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    committed = store.put(make_item())
    assert committed.new
    assert store.read(committed.content_path) == b"<html>x</html>"
    assert json.loads(store.read(committed.sidecar_path))["url"] == "http://a.example/x"
    again = store.put(make_item())
    assert not again.new and again.content_path == committed.content_path
    store.close()
    assert len(read_jsonl(tmp_path / "manifest.jsonl")) == 1
    changed = LocalStore(tmp_path).put(make_item(body=b"<html>y</html>"))
    assert changed.new and changed.content_path != committed.content_path  # a new version
    assert len(read_jsonl(tmp_path / "manifest.jsonl")) == 2
    assert json.loads((tmp_path / "store.json").read_text()) == LOCAL_FORMAT


_REAL_WRITE = os.write


def _is_pack(fd: int) -> bool:
    return os.readlink(f"/proc/self/fd/{fd}").endswith(".pack")


def _torn_write(fd: int, data: bytes) -> int:
    """A pack append that gets half its bytes out, then the crash (other writes pass)."""
    if not _is_pack(fd):
        return _REAL_WRITE(fd, data)
    _REAL_WRITE(fd, bytes(data)[: len(data) // 2])
    raise OSError("injected crash")


@pytest.mark.parametrize("step", ["append", "fdatasync", "manifest"])
def test_crash_at_every_step_leaves_no_half_item(tmp_path: Path, step: str) -> None:
    store = LocalStore(tmp_path)
    store.put(make_item("http://a.example/ok", b"<html>ok</html>"))
    patches = {
        "append": mock.patch.object(packs.os, "write", _torn_write),
        "fdatasync": mock.patch.object(packs.os, "fdatasync",
                                       side_effect=OSError("injected crash")),
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


def test_a_failed_append_moves_the_writer_to_a_new_pack(tmp_path: Path) -> None:
    """After a torn append the writer never appends behind the torn bytes: the next
    group goes to a new pack file, and what was committed before stays readable."""
    store = LocalStore(tmp_path)
    first = store.put(make_item("http://a.example/ok", b"<html>ok</html>"))
    with mock.patch.object(packs.os, "write", _torn_write), pytest.raises(StoreError):
        store.put(make_item())
    later = store.put(make_item())
    assert split_locator(later.content_path)[0] != split_locator(first.content_path)[0]
    assert store.read(later.content_path) == b"<html>x</html>"
    store.close()
    assert_consistent(tmp_path)


def test_delete_erases_the_version_and_keeps_its_pack_neighbours(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    results = store.put_many([make_item(f"http://a.example/{i}", f"<p>{i}</p>".encode())
                              for i in range(3)])
    assert len({split_locator(r.content_path)[0] for r in results}) == 1  # one pack
    [entry] = [e for e in store.entries() if e["url"] == "http://a.example/1"]
    store.delete(entry, "deletion_requested")
    pack = tmp_path / split_locator(entry["content"])[0]
    assert b"<p>1</p>" not in pack.read_bytes() and b"http://a.example/1" not in \
        pack.read_bytes()  # content and sidecar both erased
    assert store.read(entry["content"]) == bytes(len(b"<p>1</p>"))
    for i in (0, 2):
        assert store.read(results[i].content_path) == f"<p>{i}</p>".encode()
    store.close()
    assert_consistent(tmp_path)


def test_a_version_another_writer_removed_meanwhile_is_written_again(tmp_path: Path) -> None:
    """The first writer believes the version is stored (it listed it itself), so its
    group writes no bytes for it; under the lock it learns another writer erased it, and
    writes it then, so the new record never names erased bytes."""
    first, other = LocalStore(tmp_path), LocalStore(tmp_path)
    kept = first.put(make_item())
    [entry] = other.entries()
    other.delete(entry, "deletion_requested")
    again = first.put(dataclasses.replace(make_item(), purpose="commercial"))
    assert again.new and again.content_new and again.content_path != kept.content_path
    assert first.read(again.content_path) == b"<html>x</html>"
    for store in (first, other):
        store.close()
    assert_consistent(tmp_path)


def test_a_copy_another_writer_stored_meanwhile_is_erased(tmp_path: Path) -> None:
    """Two writers store the same version at once: the second to take the lock records
    the first's copy and erases its own, so a later removal leaves no copy behind."""
    first, other = LocalStore(tmp_path), LocalStore(tmp_path)
    theirs = other.put(dataclasses.replace(make_item(), purpose="research"))
    mine = first.put(dataclasses.replace(make_item(), purpose="commercial"))
    assert mine.new and not mine.content_new and mine.content_path == theirs.content_path
    own_pack = tmp_path / "packs" / f"{first._staging.name}-0.pack"
    assert own_pack.stat().st_size > 0 and b"<html>x</html>" not in own_pack.read_bytes()
    [entry] = first.entries()
    assert entry["purposes"] == ["research", "commercial"]
    first.delete(entry, "deletion_requested")
    assert b"<html>x</html>" not in b"".join(p.read_bytes() for p in (tmp_path / "packs").iterdir())
    for store in (first, other):
        store.close()
    assert_consistent(tmp_path)


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


def test_a_group_commit_orders_the_append_its_barrier_and_the_manifest(tmp_path: Path) -> None:
    """The order of one group commit, recorded from the real calls: the new pack file's
    name made durable, every file of the group in one append, one barrier (fdatasync),
    then the manifest lines in one append (with its fsync)."""
    store = LocalStore(tmp_path)
    calls: list[str] = []
    real_write, real_sync, real_fsync_path = os.write, os.fdatasync, packs.fsync_path
    real_append = store._manifest.write_many_locked

    def write(fd: int, data: bytes) -> int:
        if _is_pack(fd):  # the manifest's appends are recorded below, as lines
            calls.append(f"append {len(data)} bytes")
        return real_write(fd, data)

    def sync(fd: int) -> None:
        calls.append(f"fdatasync {'pack' if _is_pack(fd) else fd}")
        real_sync(fd)

    def fsync_path(path: Path) -> None:
        calls.append(f"fsync {path.name}/")
        real_fsync_path(path)

    def append(records: list[dict[str, object]]) -> None:
        calls.append(f"manifest {len(records)} line(s)")
        real_append(records)

    items = [make_item(f"http://a.example/{i}", f"<html>{i}</html>".encode()) for i in range(3)]
    size = sum(len(i.content) + len(encode(i.sidecar, sort_keys=True)) for i in items)
    with mock.patch.object(packs.os, "write", write), \
            mock.patch.object(packs.os, "fdatasync", sync), \
            mock.patch.object(packs, "fsync_path", fsync_path), \
            mock.patch.object(store._manifest, "write_many_locked", append):
        results = store.put_many(items)
    assert [r.new for r in results] == [True, True, True]  # type: ignore[union-attr]
    assert calls == ["fsync packs/", f"append {size} bytes", "fdatasync pack",
                     "manifest 3 line(s)"]
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


def test_a_writer_reads_back_only_the_lines_of_other_writers(tmp_path: Path) -> None:
    """Each group looks at the manifest under its lock; its own earlier lines are known
    already, so it reads the file only when another writer appended since."""
    store, other = LocalStore(tmp_path), LocalStore(tmp_path)
    with mock.patch.object(local, "read_jsonl_from", wraps=local.read_jsonl_from) as reads:
        store.put(make_item("http://a.example/1", b"1"))
        store.put(make_item("http://a.example/2", b"2"))
        assert reads.call_count == 0
        other.put(dataclasses.replace(make_item("http://a.example/1", b"1"), purpose="p"))
        again = store.put(dataclasses.replace(make_item("http://a.example/1", b"1"),
                                              purpose="p"))
        # one read each: the other follows the first two lines, the first the other's one
        assert reads.call_count == 2 and not again.new
    for each in (store, other):
        each.close()
    assert_consistent(tmp_path)
