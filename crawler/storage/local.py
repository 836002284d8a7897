"""Local-disk store, the embedded default. Several processes may share one store.

Write order (a group commit, :meth:`LocalStore.put_many`, one item or many): content and
sidecar are written in the writer's own staging folder; a barrier (``syncfs``) makes them
durable; each folder is renamed into place in one step (``rename(2)`` of a directory is
atomic), so an item folder is never seen without both files; a second barrier makes the
renames durable; only then are the manifest lines appended, in one write and one fsync.

Several writers: each writer stages under ``.staging/<writer id>/`` and holds an ``flock`` on
``.staging/<writer id>.lock`` while open; a new writer removes only the staging folders whose
lock nobody holds (their writer is gone). The rename, the check of what is listed and the
manifest append happen under the manifest's lock, and each writer follows the lines the
others append (:func:`~crawler.jsonl.read_jsonl_from`), so a version another process deleted
is listed again when re-stored, and content is removed only when no purpose is left.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.durable import fsync_path, sync_filesystem
from crawler.jsonl import AppendLog, read_jsonl, read_jsonl_from
from crawler.storage.base import (
    CREATE,
    FORMAT,
    MANIFEST,
    MARKER,
    READ,
    SIDECAR_SUFFIX,
    Committed,
    StoreError,
    StoreItem,
    delete_event,
    manifest_view,
)
from crawler.storage.keys import content_name, item_dir

STAGING = ".staging"
SUPPRESSIONS = "suppressions.jsonl"
#: a lock file younger than this is never taken for a dead writer's (it may not be
#: locked yet by the writer that just created it)
_STALE_AFTER = 30.0


def _write(path: Path, data: bytes, fsync: bool = False) -> None:
    """Write a whole file; durable only with ``fsync`` (a group commit's barrier makes
    staged files durable together instead). Plain system calls: a group commit runs in a
    thread, and each call made there waits for the GIL again afterwards."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _failed(item: StoreItem, exc: BaseException) -> StoreError:
    return exc if isinstance(exc, StoreError) else StoreError(
        f"local store write failed for {item.url}: {exc}")


@dataclass
class _Plan:
    """One item of a group commit: where it goes, and its staged folder."""

    index: int
    rel_dir: str
    name: str
    final: Path
    staged: Path | None
    key: int
    content_new: bool = False

    @property
    def content(self) -> str:
        return f"{self.rel_dir}/{self.name}"

    @property
    def sidecar(self) -> str:
        return f"{self.content}{SIDECAR_SUFFIX}"

    def committed(self, new: bool) -> Committed:
        return Committed(self.rel_dir, self.content, self.sidecar, new=new,
                         content_new=self.content_new)


def _remove_dead_staging(staging: Path) -> None:
    """Remove the staging folders of writers that are gone (their lock is free)."""
    for lock in staging.glob("*.lock"):
        try:
            if time.time() - lock.stat().st_mtime < _STALE_AFTER:
                continue
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its writer is alive
        try:
            shutil.rmtree(staging / lock.stem, ignore_errors=True)
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)


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
        self._offset = 0
        self._manifest: AppendLog | None = None
        self._suppressions: AppendLog | None = None
        self._staging_fd: int | None = None
        if mode != CREATE and not self._exists():
            raise StoreError(f"no store at {self.root}")
        if self.readonly:
            return
        try:
            self.base.mkdir(parents=True, exist_ok=True)
            if not (self.base / MARKER).exists():
                (self.base / MARKER).write_text(json.dumps(FORMAT) + "\n")
            self._open_staging()
            self._manifest = AppendLog(self.base / MANIFEST, fsync=fsync)
            self._suppressions = AppendLog(self.base / SUPPRESSIONS, fsync=True)
            with self._manifest.locked():
                self._catch_up()
        except OSError as exc:
            raise StoreError(f"cannot open local store {self.root}: {exc}") from exc

    def _exists(self) -> bool:
        return (self.base / MARKER).is_file() or (self.base / MANIFEST).is_file()

    def _open_staging(self) -> None:
        root = self.base / STAGING
        root.mkdir(exist_ok=True)
        _remove_dead_staging(root)
        writer = uuid.uuid4().hex
        self._staging_fd = os.open(root / f"{writer}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._staging_fd, fcntl.LOCK_EX)
        self._staging = root / writer
        self._staging.mkdir()

    def _writable(self) -> AppendLog:
        if self._manifest is None:
            raise StoreError(f"store {self.root} is open read-only (or closed)")
        return self._manifest

    def _catch_up(self) -> None:
        """Apply the manifest lines appended since the last look (lock held)."""
        events, self._offset = read_jsonl_from(self.base / MANIFEST, self._offset)
        for event in events:
            key = _key(event["url"], event["sha256"])
            purpose = event.get("purpose") or ""
            kind = event.get("event", "commit")
            if kind == "delete":
                self._unlist(key, purpose or None)
            elif kind == "commit":
                self._list(key, purpose)

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
        return bool(rest)

    def put(self, item: StoreItem) -> Committed:
        [result] = self.put_many([item])
        if isinstance(result, StoreError):
            raise result
        return result

    def put_many(self, items: Sequence[StoreItem]) -> list[Committed | StoreError]:
        """Group commit: every item's content and sidecar written in its staging folder,
        one barrier, the folders renamed into place, a second barrier, then all the
        manifest lines in one append with one fsync. An item is committed when that fsync
        returns; until then no reader lists it, and a crash leaves only folders no line
        names (reused by the rerun, as their files were made durable first)."""
        manifest = self._writable()
        results: list[Committed | StoreError | None] = [None] * len(items)
        plans: list[_Plan] = []
        for i, item in enumerate(items):
            try:
                plans.append(self._plan(i, item))
            except (OSError, StoreError) as exc:
                results[i] = _failed(item, exc)
        try:
            if self.fsync and any(p.staged for p in plans):
                sync_filesystem(self.base)  # files durable before a rename can name them
            with manifest.locked():
                self._catch_up()
                events, listed = self._place(plans, items, results)
                if self.fsync and plans:
                    sync_filesystem(self.base)  # renames durable before a line names them
                manifest.write_many_locked(events)
                for plan in listed:
                    self._list(plan.key, items[plan.index].purpose)
                    results[plan.index] = plan.committed(new=True)
        except OSError as exc:  # a barrier or the append failed: nothing new is listed
            results = [_failed(item, exc) if r is None else r for item, r in zip(
                items, results, strict=True)]
        finally:
            if self._staging.exists():
                for leftover in self._staging.iterdir():
                    shutil.rmtree(leftover, ignore_errors=True)
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    def _plan(self, index: int, item: StoreItem) -> _Plan:
        rel_dir = item_dir(item.host, item.url, item.sha256)
        if any(part in ("", ".", "..") for part in rel_dir.split("/")):
            raise StoreError(f"refusing key outside the store: {rel_dir}")  # keys are hashes
        final = self.base / rel_dir
        name = content_name(item.content_type)
        staged = None if os.path.lexists(final) else self._stage(item, name)
        return _Plan(index, rel_dir, name, final, staged, _key(item.url, item.sha256))

    def _place(self, plans: list[_Plan], items: Sequence[StoreItem],
               results: list[Committed | StoreError | None]
               ) -> tuple[list[dict[str, Any]], list[_Plan]]:
        """Rename the staged folders into place (manifest lock held); the commit events
        to write and the plans they list. A version already listed for the item's
        purpose (or twice in the group) is committed at once, ``new=False``."""
        events, listed, seen = [], [], set()
        for plan in plans:
            item = items[plan.index]
            try:
                if plan.staged is not None:
                    plan.content_new = self._move_into_place(plan.staged, plan.final)
                elif not os.path.lexists(plan.final):  # deleted by another writer since
                    plan.content_new = self._move_into_place(self._stage(item, plan.name),
                                                             plan.final)
            except OSError as exc:
                results[plan.index] = _failed(item, exc)
                continue
            if item.purpose in self._listed.get(plan.key, ()) or \
                    (plan.key, item.purpose) in seen:
                results[plan.index] = plan.committed(new=False)
                continue
            seen.add((plan.key, item.purpose))
            events.append(item.commit_event(plan.content, plan.sidecar))
            listed.append(plan)
        return events, listed

    def _stage(self, item: StoreItem, name: str) -> Path:
        staged = self._staging / uuid.uuid4().hex
        os.mkdir(staged)
        _write(staged / name, item.content)
        # compact: json's C encoder only runs without indent (jq pretty-prints on demand)
        card = json.dumps(item.sidecar, ensure_ascii=False, sort_keys=True)
        _write(staged / f"{name}{SIDECAR_SUFFIX}", card.encode())
        return staged

    def _move_into_place(self, staged: Path, final: Path) -> bool:
        """Rename a staged folder into place (lock held); False when it was already there
        (``rename(2)`` refuses to replace a folder that has files)."""
        try:
            os.mkdir(final.parent)  # the URL's folder, new for its first version
        except FileExistsError:
            pass
        except FileNotFoundError:  # the host's folder is new too
            os.makedirs(final.parent, exist_ok=True)
        try:
            os.rename(staged, final)
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            shutil.rmtree(staged, ignore_errors=True)
            return False
        return True

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
        try:
            with self._path(path).open("rb") as fh:
                fh.seek(start)
                return fh.read() if length is None else fh.read(length)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

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
        """Tombstone first, then (when no purpose is left) remove the folder, all under the
        manifest lock, so no writer re-lists the version in between."""
        manifest = self._writable()
        folder = self._path(entry["content"]).parent
        key = _key(entry["url"], entry["sha256"])
        try:
            with manifest.locked():
                self._catch_up()
                manifest.write_locked(delete_event(entry, reason, purpose))
                if self._unlist(key, purpose):
                    return  # stored for other purposes too: the content stays
                shutil.rmtree(folder, ignore_errors=False)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"cannot delete {folder}: {exc}") from exc

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
        for log in (self._manifest, self._suppressions):
            if log is not None:
                log.close()
        self._manifest = self._suppressions = None
        if self._staging_fd is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            (self._staging.parent / f"{self._staging.name}.lock").unlink(missing_ok=True)
            os.close(self._staging_fd)
            self._staging_fd = None
