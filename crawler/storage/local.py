"""Local-disk store, the embedded default.

Write order: content and sidecar are written and fsynced in a private staging folder,
which is then renamed into place in one step (``rename(2)`` of a directory is atomic), so
an item folder is never seen without both files; only then is the manifest line
appended. A crash before the rename leaves only staging debris, removed at the next
open; a crash between the rename and the manifest append leaves a complete folder that
the next crawl of the URL lists again.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any

from crawler.durable import fsync_path
from crawler.jsonl import AppendLog, read_jsonl, utcnow
from crawler.storage.base import (
    MANIFEST,
    SIDECAR_SUFFIX,
    Committed,
    StoreError,
    StoreItem,
    manifest_view,
)
from crawler.storage.keys import extension_for, item_dir

STAGING = ".staging"


def _write(path: Path, data: bytes, fsync: bool) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())



class LocalStore:
    def __init__(self, root: str | Path, fsync: bool = True):
        self.base = Path(root).resolve()
        self.root = str(self.base)
        self.fsync = fsync
        self._lock = threading.Lock()
        try:
            self.base.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(self.base / STAGING, ignore_errors=True)
            (self.base / STAGING).mkdir()
            self._manifest = AppendLog(self.base / MANIFEST, fsync=fsync)
            self._listed = {(e["url"], e["sha256"]) for e in self.entries()}
        except OSError as exc:
            raise StoreError(f"cannot open local store {self.root}: {exc}") from exc

    def put(self, item: StoreItem) -> Committed:
        rel_dir = item_dir(item.host, item.url, item.sha256)
        final = self.base / rel_dir
        if not final.resolve().is_relative_to(self.base):  # defence in depth; keys are hashes
            raise StoreError(f"refusing key outside the store: {rel_dir}")
        name = f"content.{extension_for(item.content_type)}"
        committed = Committed(rel_dir, f"{rel_dir}/{name}", f"{rel_dir}/{name}{SIDECAR_SUFFIX}",
                              new=not final.exists())
        try:
            if committed.new:
                self._stage_and_rename(item, final, name)
            self._list(item, committed)
        except OSError as exc:
            raise StoreError(f"local store write failed for {item.url}: {exc}") from exc
        return committed

    def _stage_and_rename(self, item: StoreItem, final: Path, name: str) -> None:
        staging = self.base / STAGING / uuid.uuid4().hex
        staging.mkdir()
        _write(staging / name, item.content, self.fsync)
        # compact: json's C encoder only runs without indent (jq pretty-prints on demand)
        sidecar = json.dumps(item.sidecar, ensure_ascii=False, sort_keys=True)
        _write(staging / f"{name}{SIDECAR_SUFFIX}", sidecar.encode(), self.fsync)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(final)
        except OSError:
            if not final.exists():  # a concurrent writer committed the same version: fine
                raise
            shutil.rmtree(staging, ignore_errors=True)
        if self.fsync:
            fsync_path(final.parent)

    def _list(self, item: StoreItem, committed: Committed) -> None:
        key = (item.url, item.sha256)
        with self._lock:
            if key in self._listed:
                return
            entry = {**item.manifest_extra, "event": "commit", "url": item.url,
                     "sha256": item.sha256, "kind": item.kind, "host": item.host,
                     "content": committed.content_path, "sidecar": committed.sidecar_path,
                     "committed_at": utcnow()}
            self._manifest.append(entry)
            self._listed.add(key)

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

    def read(self, path: str) -> bytes:
        try:
            return self._path(path).read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    def delete(self, entry: dict[str, Any], reason: str) -> None:
        """Tombstone first, then remove the folder: a crash in between leaves a folder no
        reader lists, which the next deletion or a re-crawl handles."""
        folder = self._path(entry["content"]).parent
        with self._lock:
            self._manifest.append({"event": "delete", "url": entry["url"],
                                   "sha256": entry["sha256"], "content": entry["content"],
                                   "sidecar": entry["sidecar"], "reason": reason,
                                   "deleted_at": utcnow()})
            self._listed.discard((entry["url"], entry["sha256"]))
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"cannot delete {folder}: {exc}") from exc

    def close(self) -> None:
        self._manifest.close()
