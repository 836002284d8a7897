"""One contract for every store: the local directory and S3 (a real moto_server over HTTP)
must behave the same for put, re-put, versions, ``current``, delete, entries and read."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import s3server

from crawler.storage.base import SIDECAR_SUFFIX, Store, StoreError, StoreItem
from crawler.storage.local import LocalStore
from crawler.storage.s3 import S3Store

PREFIX = "corpus/contract"
#: where each store keeps an item's content: a range of a pack file (local), an object (S3)
ITEM_PATH = {
    "local": re.compile(r"packs/[0-9a-f]{32}-\d+\.pack#\d+:\d+"),
    "s3": re.compile(r"items/[a-z0-9._-]{1,100}/[0-9a-f]{20}/[0-9a-f]{64}/content\.[a-z]+"),
}


def make_item(url: str = "http://a.example/x", body: bytes = b"<html>x</html>",
              host: str = "a.example", content_type: str = "text/html") -> StoreItem:
    digest = hashlib.sha256(body).hexdigest()
    return StoreItem(url=url, host=host, kind="page", content=body, content_type=content_type,
                     sha256=digest, sidecar={"url": url, "sha256": digest, "license": "CC-BY-4.0"},
                     manifest_extra={"spdx": "CC-BY-4.0", "policy": "a"})


class Backend:
    """Opens (and re-opens, as a next run would) one store, and lists what it holds raw."""

    def __init__(self, kind: str, opener: Callable[[], Store],
                 raw: Callable[[], dict[str, bytes]], escapes: Callable[[], list[str]]):
        self.kind = kind
        self.open = opener
        self.raw = raw  # every stored file/object, by path relative to the store root
        self.escapes = escapes  # anything written outside the store root / prefix

    @staticmethod
    def gone(store: Store, path: str) -> bool:
        """A removed file: unreadable (S3), or a pack range that reads as zeros (local)."""
        try:
            return store.read(path).strip(b"\0") == b""
        except StoreError:
            return True


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        root = tmp_path / "store"

        def local_raw() -> dict[str, bytes]:
            return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                    if p.is_file() and ".staging" not in p.parts}

        def local_escapes() -> list[str]:
            return [p.as_posix() for p in tmp_path.rglob("*")
                    if not p.resolve().is_relative_to(root.resolve())
                    and p.resolve() != root.resolve()]

        return Backend("local", lambda: LocalStore(root), local_raw, local_escapes)

    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = s3server.new_bucket(endpoint)
    client = s3server.s3_client(endpoint)

    def s3_raw() -> dict[str, bytes]:
        return {key.removeprefix(f"{PREFIX}/"): client.get_object(Bucket=bucket,
                                                                   Key=key)["Body"].read()
                for key in s3server.list_keys(endpoint, bucket)}

    def s3_escapes() -> list[str]:
        return [k for k in s3server.list_keys(endpoint, bucket) if not k.startswith(f"{PREFIX}/")]

    return Backend("s3", lambda: S3Store(bucket, PREFIX, endpoint_url=endpoint,
                                             max_attempts=2),
                   s3_raw, s3_escapes)


def assert_consistent(store: Store) -> None:
    """Every listed version has both files, and they agree with each other and the entry."""
    kind = "local" if isinstance(store, LocalStore) else "s3"
    for entry in store.entries():
        assert ITEM_PATH[kind].fullmatch(entry["content"]), entry["content"]
        assert ITEM_PATH[kind].fullmatch(entry["sidecar"].removesuffix(SIDECAR_SUFFIX))
        content = store.read(entry["content"])
        card = json.loads(store.read(entry["sidecar"]))
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] == card["sha256"]
        assert card["url"] == entry["url"]


def test_put_then_read_back(backend: Backend) -> None:
    store = backend.open()
    committed = store.put(make_item())
    assert committed.new
    assert ITEM_PATH[backend.kind].fullmatch(committed.content_path)
    if backend.kind == "s3":
        assert committed.sidecar_path == committed.content_path + SIDECAR_SUFFIX
    assert store.read(committed.content_path) == b"<html>x</html>"
    assert json.loads(store.read(committed.sidecar_path))["license"] == "CC-BY-4.0"
    [entry] = store.entries()
    assert entry["url"] == "http://a.example/x" and entry["current"] is True
    assert entry["content"] == committed.content_path and entry["kind"] == "page"
    assert entry["spdx"] == "CC-BY-4.0" and entry["policy"] == "a"
    assert_consistent(store)
    store.close()


def test_reput_same_content_writes_nothing(backend: Backend) -> None:
    store = backend.open()
    first = store.put(make_item())
    before = backend.raw()
    again = store.put(make_item())
    assert not again.new
    assert (again.content_path, again.sidecar_path) == (first.content_path, first.sidecar_path)
    store.close()
    rerun = backend.open()  # a later run: the manifest, not memory, says it is stored
    assert not rerun.put(make_item()).new
    rerun.close()
    assert backend.raw() == before
    assert len(backend.open().entries()) == 1


def test_changed_content_is_a_new_current_version(backend: Backend) -> None:
    store = backend.open()
    v1 = store.put(make_item(body=b"<html>one</html>"))
    store.close()
    store = backend.open()
    v2 = store.put(make_item(body=b"<html>two</html>"))
    assert v2.new and v2.content_path != v1.content_path
    entries = store.entries()
    assert [(e["content"], e["current"]) for e in entries] == [
        (v1.content_path, False), (v2.content_path, True)]
    assert store.read(v1.content_path) == b"<html>one</html>"  # old versions stay readable
    other = store.put(make_item(url="http://a.example/other"))
    assert {e["url"] for e in store.entries() if e["current"]} == {
        "http://a.example/x", "http://a.example/other"}
    assert other.new
    assert_consistent(store)


def test_delete_tombstones_and_removes_both_files(backend: Backend) -> None:
    store = backend.open()
    v1 = store.put(make_item(body=b"<html>one</html>"))
    v2 = store.put(make_item(body=b"<html>two</html>"))
    [_, current] = store.entries()
    store.delete(current, "deletion_requested")
    [left] = store.entries()
    assert left["content"] == v1.content_path and left["current"] is True
    for path in (v2.content_path, v2.sidecar_path):
        assert backend.gone(store, path)
    assert store.read(v1.content_path) == b"<html>one</html>"
    store.close()
    reopened = backend.open()
    assert [e["content"] for e in reopened.entries()] == [v1.content_path]
    again = reopened.put(make_item(body=b"<html>two</html>"))  # re-stored after deletion
    assert again.new
    assert [(e["content"], e["current"]) for e in reopened.entries()] == [
        (v1.content_path, False), (again.content_path, True)]
    assert reopened.read(again.content_path) == b"<html>two</html>"
    assert_consistent(reopened)


def test_entries_survive_reopen(backend: Backend) -> None:
    store = backend.open()
    for n in range(3):
        store.put(make_item(url=f"http://a.example/{n}", body=f"<p>{n}</p>".encode()))
    listed = [(e["url"], e["sha256"], e["current"]) for e in store.entries()]
    store.close()
    assert [(e["url"], e["sha256"], e["current"]) for e in backend.open().entries()] == listed
    assert len(listed) == 3


HOSTILE = [
    ("..", "http://../../etc/passwd"),
    ("../../etc", "http://x/../../../etc/passwd"),
    ("a/../../b", "http://a/%2e%2e%2f%2e%2e%2fetc"),
    ("%2e%2e%2fetc", "http://%2e%2e%2fetc/a%2Fb%5C..%5C"),
    ("a\x00b", "http://a\x00b/\x00"),
    ("x" * 5000, "http://x/" + "y" * 20000),
    ("bücher.example", "http://bücher.example/straße?q=ü#frag"),
    (".", "http://./"),
    ("", ""),
    ("a\\..\\b", "http://a\\..\\b/\r\nX-Injected: 1"),
    ("/", "/"),
]


@pytest.mark.parametrize(("host", "url"), HOSTILE)
def test_hostile_hosts_and_urls_stay_inside_the_store(backend: Backend, host: str,
                                                      url: str) -> None:
    store = backend.open()
    committed = store.put(make_item(url=url, host=host, body=url.encode("utf-8", "replace")))
    assert ITEM_PATH[backend.kind].fullmatch(committed.content_path), committed.content_path
    [entry] = store.entries()
    assert entry["url"] == url  # the URL itself is kept verbatim in the manifest
    assert store.read(committed.content_path) == url.encode("utf-8", "replace")
    assert backend.escapes() == []
    for path in backend.raw():
        assert ".." not in path.split("/") and "\x00" not in path and "\\" not in path
    assert_consistent(store)


@pytest.mark.parametrize("path", ["../outside", "/etc/passwd", "items/../../outside",
                                  "items/a\x00b", "items/%2e%2e/x", "",
                                  "packs/../../outside#0:4", "/etc/passwd#0:4"])
def test_read_refuses_paths_outside_the_store(backend: Backend, path: str) -> None:
    store = backend.open()
    store.put(make_item())
    with pytest.raises(StoreError):
        store.read(path)


def test_missing_file_is_a_store_error(backend: Backend) -> None:
    store = backend.open()
    committed = store.put(make_item())
    with pytest.raises(StoreError):
        store.read(committed.content_path.replace("content.html", "content.txt")
                   .replace(".pack#", ".missing#"))


def test_store_protocol(backend: Backend) -> None:
    store: Any = backend.open()
    for name in ("put", "entries", "read", "delete", "close"):
        assert callable(getattr(store, name))
    assert isinstance(store.root, str) and store.root


def test_write_file_is_whole_and_stays_inside_the_store(backend: Backend) -> None:
    store = backend.open()
    where = store.write_file("runs/r1.json", b'{"run": 1}\n', "application/json")
    assert where.endswith("runs/r1.json")
    store.write_file("runs/r1.json", b'{"run": 1, "again": true}\n', "application/json")
    assert store.read("runs/r1.json") == b'{"run": 1, "again": true}\n'
    assert backend.raw()["runs/r1.json"] == b'{"run": 1, "again": true}\n'
    store.write_file("runs/r2.json", b"{}", "application/json")
    store.write_file("runs/deeper/r3.json", b"{}", "application/json")
    assert store.list_files("runs") == ["runs/r1.json", "runs/r2.json"]
    assert store.list_files("nothing-here") == []
    with pytest.raises(StoreError):
        store.write_file("../outside.json", b"{}", "application/json")
    store.close()
    assert backend.escapes() == []


def test_append_file_adds_at_the_end_and_refuses_a_wrong_size(backend: Backend) -> None:
    store = backend.open()
    ndjson = "application/x-ndjson"
    where = store.append_file("ledger/run1/w1.jsonl", b"a\n", 0, ndjson)  # a new file
    assert where.endswith("ledger/run1/w1.jsonl")
    store.append_file("ledger/run1/w1.jsonl", b"bc\n", 2, ndjson)
    assert store.read("ledger/run1/w1.jsonl") == b"a\nbc\n"
    for size in (0, 2, 6):  # not what the file holds: refused, the file left as it was
        with pytest.raises(StoreError, match="holds 5 bytes"):
            store.append_file("ledger/run1/w1.jsonl", b"x\n", size, ndjson)
    assert backend.raw()["ledger/run1/w1.jsonl"] == b"a\nbc\n"
    with pytest.raises(StoreError):
        store.append_file("../outside.jsonl", b"x\n", 0, ndjson)
    store.close()
    assert backend.escapes() == []


def test_ranged_reads_recursive_listing_and_file_removal(backend: Backend) -> None:
    store = backend.open()
    store.write_file("ledger/run1/w1.jsonl", b"0123456789\n", "application/x-ndjson")
    store.write_file("ledger/run1/w1.idx", b"i", "application/octet-stream")
    store.write_file("ledger/run2/w2.jsonl", b"x\n", "application/x-ndjson")
    assert store.read("ledger/run1/w1.jsonl", 3, 4) == b"3456"
    assert store.read("ledger/run1/w1.jsonl", 8) == b"89\n"
    assert store.read("ledger/run1/w1.jsonl", 5, 0) == b""
    assert store.list_files("ledger") == []
    assert store.list_files("ledger", recursive=True) == [
        "ledger/run1/w1.idx", "ledger/run1/w1.jsonl", "ledger/run2/w2.jsonl"]
    store.delete_files(["ledger/run1/w1.jsonl", "ledger/run1/w1.idx"])
    assert store.list_files("ledger", recursive=True) == ["ledger/run2/w2.jsonl"]
    assert set(backend.raw()) >= {"ledger/run2/w2.jsonl"}
    assert not any(p.startswith("ledger/run1") for p in backend.raw())
    local = store.local_path("ledger/run2/w2.jsonl")
    assert local is None if backend.kind == "s3" else local.read_bytes() == b"x\n"
    with pytest.raises(StoreError):
        store.delete_files(["../outside.json"])
    store.close()
