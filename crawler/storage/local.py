"""Local-disk store, the embedded default. Several processes may share one store.

Write order (a group commit, :meth:`LocalStore.put_many`, one item or many): every new
item's content and sidecar are appended to the writer's pack file in one write, made
durable with one ``fdatasync`` (:mod:`crawler.storage.packs`); only then are the manifest
lines appended, in one write and one fsync. No reader looks at a range no line names, so
an item is never seen without both files, and a crash leaves at most an unnamed tail.

Several writers: each writer has its own pack files, and holds an ``flock`` on
``.staging/<writer id>.lock`` while open (its staging folder takes the run reports it
writes); a new writer removes only the staging folders whose lock nobody holds (their
writer is gone). The check of what is listed and the manifest append happen under the
manifest's lock, and each writer follows the lines the others append
(:func:`~crawler.jsonl.read_jsonl_from`), so a version another process deleted is listed
again when re-stored, and content is erased only when no purpose is left.

Stores written before format 3 kept each version in a folder
(``items/<host>/<url hash>/<content hash>/``); they stay readable and take new writes,
which go to pack files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.durable import fsync_path
from crawler.jsonl import AppendLog, encode, read_jsonl, read_jsonl_from
from crawler.storage.base import (
    CREATE,
    FORMAT,
    MANIFEST,
    MARKER,
    READ,
    Committed,
    StoreError,
    StoreItem,
    delete_event,
    manifest_view,
)
from crawler.storage.packs import PACKS, Locations, PackWriter, erase, split_locator
from crawler.workdirs import OwnedFolder, remove_abandoned

#: the local store's format: 3 keeps items in pack files (2: a folder per version)
LOCAL_FORMAT = {**FORMAT, "version": 3}
logger = logging.getLogger(__name__)
STAGING = ".staging"
SUPPRESSIONS = "suppressions.jsonl"


def _write(path: Path, data: bytes, fsync: bool = False, append_to: int | None = None) -> None:
    """Write a whole file or, with ``append_to``, add to the end of one that holds that many
    bytes (0: a new file), cut back to them if the write fails; durable only with ``fsync``."""
    if append_to is None:
        flags = os.O_TRUNC | os.O_CREAT
    else:
        flags = os.O_APPEND | (os.O_CREAT if append_to == 0 else 0)
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC | flags, 0o644)
    try:
        if append_to is not None and (held := os.fstat(fd).st_size) != append_to:
            raise StoreError(f"cannot append to {path}: it holds {held} bytes, not the "
                             f"{append_to} written to it")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            if append_to is not None:
                os.ftruncate(fd, append_to)
            raise
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _failed(item: StoreItem, exc: BaseException) -> StoreError:
    return exc if isinstance(exc, StoreError) else StoreError(
        f"local store write failed for {item.url}: {exc}")


#: the few distinct purpose sets, shared by every listed version that has them
_PURPOSE_SETS: dict[frozenset[str], frozenset[str]] = {}


def _key(url: str, sha256: str) -> int:
    """A compact key for a version (64 bits of its URL and content hash): the listed set
    stays small however many versions a store holds."""
    digest = hashlib.blake2b(f"{url}\0{sha256}".encode("utf-8", "surrogatepass"),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big")


class LocalStore:
    def __init__(self, root: str | Path, fsync: bool = True, mode: str = CREATE):
        self.base = Path(root).resolve()
        self.root = str(self.base)
        self.fsync = fsync
        self.readonly = mode == READ
        #: version key (see _key) → the purposes it is listed for
        self._listed: dict[int, frozenset[str]] = {}
        #: where each listed version's content and sidecar are
        self._where = Locations()
        self._packs: PackWriter | None = None
        self._offset = 0
        self._manifest: AppendLog | None = None
        self._suppressions: AppendLog | None = None
        self._staging_folder: OwnedFolder | None = None
        if mode != CREATE and not self._exists():
            raise StoreError(f"no store at {self.root}")
        if self.readonly:
            self._read_format()
            return
        try:
            self.base.mkdir(parents=True, exist_ok=True)
            self._open_staging()
            self._packs = PackWriter(self.base / PACKS, self._staging.name, fsync)
            self._manifest = AppendLog(self.base / MANIFEST, fsync=fsync)
            self._suppressions = AppendLog(self.base / SUPPRESSIONS, fsync=True)
            self._mark_format()
            with self._manifest.locked():
                self._catch_up()
        except OSError as exc:
            raise StoreError(f"cannot open local store {self.root}: {exc}") from exc

    def _exists(self) -> bool:
        return (self.base / MARKER).is_file() or (self.base / MANIFEST).is_file()

    def _read_format(self) -> Any:
        """The store's marker (None when it has none); a later format is refused."""
        marker = self.base / MARKER
        try:
            found = json.loads(marker.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{marker} is not a store marker: {exc}") from exc
        version = found.get("version") if isinstance(found, dict) else None
        if isinstance(version, int) and version > LOCAL_FORMAT["version"]:
            raise StoreError(f"{self.root} is a store of format {version}; this crawler "
                             f"reads format {LOCAL_FORMAT['version']} and earlier")
        return found

    def _mark_format(self) -> None:
        """Write the marker of format 3, which the pack files this writer adds need: in a
        new store, or in place of an earlier format's (whose items stay readable)."""
        if self._read_format() != LOCAL_FORMAT:
            self.write_file(MARKER, (json.dumps(LOCAL_FORMAT) + "\n").encode(),
                            "application/json")

    def _open_staging(self) -> None:
        root = self.base / STAGING
        root.mkdir(exist_ok=True)
        remove_abandoned(root)
        self._staging_folder = OwnedFolder(root)
        self._staging = self._staging_folder.path

    def _writable(self) -> AppendLog:
        if self._manifest is None:
            raise StoreError(f"store {self.root} is open read-only (or closed)")
        return self._manifest

    def _catch_up(self) -> None:
        """Apply the manifest lines appended since the last look (lock held); when no
        other writer appended, a look at the file's length is all it costs."""
        if self._writable().size() == self._offset:
            return
        events, self._offset = read_jsonl_from(self.base / MANIFEST, self._offset)
        for event in events:
            key = _key(event["url"], event["sha256"])
            purpose = event.get("purpose") or ""
            kind = event.get("event", "commit")
            if kind == "delete":
                self._unlist(key, purpose or None)
            elif kind == "commit":
                self._list(key, purpose)
                self._where.add(key, event["content"], event["sidecar"])

    def _list(self, key: int, purpose: str) -> None:
        purposes = self._listed.get(key, frozenset())
        if purpose not in purposes:
            more = purposes | {purpose}
            self._listed[key] = _PURPOSE_SETS.setdefault(more, more)

    def _unlist(self, key: int, purpose: str | None) -> bool:
        """Remove ``purpose`` (None: all) from a version; True when others remain."""
        listed = self._listed.pop(key, frozenset())
        rest = listed - {purpose} if purpose else frozenset()
        if rest:
            self._listed[key] = _PURPOSE_SETS.setdefault(rest, rest)
        else:
            self._where.pop(key)
        return bool(rest)

    def put(self, item: StoreItem) -> Committed:
        [result] = self.put_many([item])
        if isinstance(result, StoreError):
            raise result
        return result

    def put_many(self, items: Sequence[StoreItem]) -> list[Committed | StoreError]:
        """Group commit: the content and sidecar of every item not stored yet appended to
        the writer's pack file in one write and one ``fdatasync``, then all the manifest
        lines in one append with one fsync. An item is committed when that fsync returns;
        until then no reader lists it, and a crash leaves only a tail no line names."""
        manifest = self._writable()
        keys = [_key(item.url, item.sha256) for item in items]
        written: dict[int, tuple[str, str]] = {}
        failed: dict[int, StoreError] = {}
        self._write_missing(items, keys, written, failed)  # the bulk, before the lock
        events: list[dict[str, Any]] = []
        results: list[Committed | StoreError] = []
        try:
            with manifest.locked():
                self._catch_up()
                self._write_missing(items, keys, written, failed)  # removed since by others
                listed: set[tuple[int, str]] = set()
                placed: dict[int, tuple[str, str]] = {}  # versions this group stores
                for i, item in enumerate(items):
                    if i in failed:
                        results.append(failed[i])
                        continue
                    key = keys[i]
                    where = self._where.get(key) or placed.get(key) or written[key]
                    new = item.purpose not in self._listed.get(key, ()) and \
                        (key, item.purpose) not in listed
                    content_new = written.get(key) == where
                    if content_new:
                        placed[key] = written.pop(key)
                    results.append(Committed(*where, new=new, content_new=content_new))
                    if new:
                        events.append(item.commit_event(*where))
                        listed.add((key, item.purpose))
                manifest.write_many_locked(events)
                self._offset = manifest.size()  # caught up, then only these lines
                for i, result in enumerate(results):
                    if isinstance(result, Committed) and result.new:
                        self._list(keys[i], items[i].purpose)
                        self._where.add(keys[i], result.content_path,
                                        result.sidecar_path)
        except OSError as exc:  # the append failed: nothing new is listed
            return [failed.get(i) or _failed(item, exc) for i, item in enumerate(items)]
        self._erase_unused(written)
        return results

    def _write_missing(self, items: Sequence[StoreItem], keys: list[int],
                       written: dict[int, tuple[str, str]],
                       failed: dict[int, StoreError]) -> None:
        """Append the content and sidecar of each version neither stored nor written by
        this group yet, once per version, in one write; note where, or why not."""
        assert self._packs is not None
        todo = {keys[i]: i for i in reversed(range(len(items)))
                if i not in failed and keys[i] not in self._where and keys[i] not in written}
        if not todo:
            return
        files = []
        for i in todo.values():
            # compact (jq pretty-prints on demand)
            files += [items[i].content, encode(items[i].sidecar, sort_keys=True)]
        try:
            found = self._packs.append(files)
        except OSError as exc:
            for i, key in enumerate(keys):
                if key in todo:
                    failed[i] = _failed(items[i], exc)
            return
        for n, key in enumerate(todo):
            written[key] = (found[2 * n], found[2 * n + 1])

    def _erase_unused(self, written: dict[int, tuple[str, str]]) -> None:
        """Erase what this group wrote for versions another writer stored meanwhile: a
        removal erases the copy the manifest names, and no second copy may outlive it."""
        for paths in written.values():
            try:
                self._remove(*paths)
            except OSError as exc:
                logger.warning("could not erase an unused copy at %s: %s", paths[0], exc)

    def entries(self) -> list[dict[str, Any]]:
        return manifest_view(read_jsonl(self.base / MANIFEST))

    def _path(self, relative: str) -> Path:
        try:
            path = (self.base / relative).resolve()
        except (ValueError, OSError) as exc:  # e.g. an embedded NUL byte
            raise StoreError(f"invalid store path {relative!r}: {exc}") from exc
        if not path.is_relative_to(self.base):
            raise StoreError(f"path outside the store: {relative!r}")
        return path

    def read(self, path: str, start: int = 0, length: int | None = None) -> bytes:
        """A file, or a range of a pack file by its locator (``packs/<name>#<offset>:<length>``)."""
        file, offset, size = split_locator(path)
        if size is not None:
            start = min(start, size)
            length = size - start if length is None else min(length, size - start)
        try:
            with self._path(file).open("rb") as fh:
                fh.seek(offset + start)
                data = fh.read() if length is None else fh.read(length)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc
        if size is not None and len(data) != length:
            raise StoreError(f"cannot read {path}: the pack file ends before the range")
        return data

    def list_files(self, directory: str, recursive: bool = False) -> list[str]:
        folder = self._path(directory)
        try:
            found = folder.rglob("*") if recursive else folder.iterdir()
            return sorted(p.relative_to(self.base).as_posix() for p in found if p.is_file())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot list {directory}: {exc}") from exc

    def write_file(self, path: str, data: bytes, content_type: str) -> str:
        self._writable()
        target = self._path(path)
        staged = self._staging / f"{uuid.uuid4().hex}.part"  # same file system: one rename
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(staged, data, self.fsync)
            os.replace(staged, target)
            if self.fsync:
                fsync_path(target.parent)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc}") from exc
        return str(target)

    def append_file(self, path: str, data: bytes, size: int, content_type: str) -> str:
        self._writable()
        target = self._path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, data, self.fsync, append_to=size)
            if self.fsync and size == 0:  # a new file's name
                fsync_path(target.parent)
        except OSError as exc:
            raise StoreError(f"cannot append to {path}: {exc}") from exc
        return str(target)

    def local_path(self, path: str) -> Path:
        return self._path(path)

    def delete_files(self, paths: list[str]) -> None:
        self._writable()
        try:
            for path in paths:
                self._path(path).unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # the folder may hold other files
                    self._path(path).parent.rmdir()
        except OSError as exc:
            raise StoreError(f"cannot delete {path}: {exc}") from exc

    def delete(self, entry: dict[str, Any], reason: str, purpose: str | None = None) -> None:
        """Tombstone first, then (when no purpose is left) erase the content and sidecar,
        all under the manifest lock, so no writer re-lists the version in between."""
        manifest = self._writable()
        key = _key(entry["url"], entry["sha256"])
        try:
            with manifest.locked():
                self._catch_up()
                manifest.write_locked(delete_event(entry, reason, purpose))
                self._offset = manifest.size()  # caught up, then only this line
                if self._unlist(key, purpose):
                    return  # stored for other purposes too: the content stays
                self._remove(entry["content"], entry["sidecar"])
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"cannot delete {entry['content']}: {exc}") from exc

    def _remove(self, *paths: str) -> None:
        """Erase a version's ranges in its pack file, or remove its folder (format 2)."""
        for path in paths:
            file, offset, length = split_locator(path)
            if length is None:
                shutil.rmtree(self._path(path).parent)
                return
            erase(self._path(file), offset, length, self.fsync)

    def check(self, event: dict[str, Any]) -> None:
        manifest = self._writable()
        try:
            manifest.append(event)
        except OSError as exc:
            raise StoreError(f"cannot record a check of {event['url']}: {exc}") from exc

    def suppress(self, record: dict[str, Any]) -> None:
        if self._suppressions is None:
            raise StoreError(f"store {self.root} is open read-only (or closed)")
        try:
            self._suppressions.append(record)
        except OSError as exc:
            raise StoreError(f"cannot record a suppression in {self.root}: {exc}") from exc

    def suppressions(self) -> list[dict[str, Any]]:
        return read_jsonl(self.base / SUPPRESSIONS)

    def close(self) -> None:
        if self._packs is not None:
            self._packs.close()
            self._packs = None
        for log in (self._manifest, self._suppressions):
            if log is not None:
                log.close()
        self._manifest = self._suppressions = None
        if self._staging_folder is not None:
            self._staging_folder.remove()
            self._staging_folder = None
