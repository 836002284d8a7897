"""The store interface: commit an item and its sidecar together, or not at all.

The manifest is an append-only log of ``commit`` and ``delete`` events; its *view*
(:func:`manifest_view`) is what a reader trusts: one entry per stored version, with
``current`` set on the newest live version of each URL.

A version is stored *for purposes*: each ``commit`` event records one purpose, and a
``delete`` event that names a purpose removes only that purpose's record. The content and
sidecar go only when no purpose is left (or on a ``delete`` without a purpose: retention,
deletion requests), so a crawl for one purpose never removes what another purpose stored.

Besides the manifest, a store keeps its *suppressions*: URLs and sites removed on request
(``crawler purge --url/--site``) that later crawls must not store again until lifted.

Stores are opened by URI with :func:`crawler.storage.registry.open_store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from crawler.jsonl import utcnow

SIDECAR_SUFFIX = ".license.json"
MANIFEST = "manifest.jsonl"
#: a small JSON object that marks a folder or prefix as a store, with its format version
MARKER = "store.json"
FORMAT = {"format": "compliance-crawler-store", "version": 2}

#: how :func:`~crawler.storage.registry.open_store` opens: ``read`` (must exist; nothing
#: is written or created), ``write`` (must exist), ``create`` (made when missing)
READ, WRITE, CREATE = "read", "write", "create"
MODES = (READ, WRITE, CREATE)


@dataclass(frozen=True)
class StoreItem:
    url: str
    host: str
    kind: str
    content: bytes
    content_type: str
    sha256: str
    sidecar: dict[str, Any]
    manifest_extra: dict[str, Any] = field(default_factory=dict)
    purpose: str = ""  # the purpose this version is stored for

    def commit_event(self, content: str, sidecar: str) -> dict[str, Any]:
        """The manifest ``commit`` event for this item (extras first: nothing in them can
        redirect the paths or the event type)."""
        return {**self.manifest_extra, "event": "commit", "url": self.url,
                "sha256": self.sha256, "kind": self.kind, "host": self.host,
                "content": content, "sidecar": sidecar, "committed_at": utcnow(),
                **({"purpose": self.purpose} if self.purpose else {})}


def check_event(entry: dict[str, Any], status: int, run_id: str,
                headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The manifest ``check`` event of a stored version met again by a crawl: ``status``
    200 (seen, or revalidated with a 304: ``headers`` are its stored response headers as
    updated, RFC 9111 §4.3.4) or 404 (missing in this run)."""
    return {"event": "check", "url": entry["url"], "sha256": entry["sha256"],
            "status": status, "run_id": run_id, "checked_at": utcnow(),
            **({"headers": headers} if headers is not None else {})}


def delete_event(entry: dict[str, Any], reason: str, purpose: str | None) -> dict[str, Any]:
    """The manifest ``delete`` event for a stored version (for one purpose, or all)."""
    return {"event": "delete", "url": entry["url"], "sha256": entry["sha256"],
            "content": entry["content"], "sidecar": entry["sidecar"], "reason": reason,
            "deleted_at": utcnow(), **({"purpose": purpose} if purpose else {})}


@dataclass(frozen=True)
class Committed:
    content_path: str
    sidecar_path: str
    new: bool  # False when this version of this URL was already stored for this purpose
    content_new: bool = True  # False when the content was already there (another purpose)


class StoreError(Exception):
    """The store could not commit or delete an item."""


class Store(Protocol):
    root: str

    def put(self, item: StoreItem) -> Committed: ...

    def put_many(self, items: Sequence[StoreItem]) -> list[Committed | StoreError]:
        """Commit a group of items (see :meth:`put`), each with its own result: a store
        that can makes them durable together (a group commit)."""
        ...

    def entries(self) -> list[dict[str, Any]]:
        """The manifest view: live stored versions (see :func:`manifest_view`)."""
        ...

    def read(self, path: str, start: int = 0, length: int | None = None) -> bytes:
        """Bytes of a file by its path relative to the store root: all of it, or ``length``
        bytes from ``start`` (one ranged read: a ledger index lookup)."""
        ...

    def list_files(self, directory: str, recursive: bool = False) -> list[str]:
        """Paths (relative to the store root, sorted) of the files in ``directory`` (e.g.
        ``runs``), directly in it or, ``recursive``, at any depth; empty when none."""
        ...

    def local_path(self, path: str) -> Path | None:
        """Where ``path`` is on this machine's file system, for a store that is a folder
        here (a writer may then append to it in place); None for a remote store."""
        ...

    def delete_files(self, paths: list[str]) -> None:
        """Remove whole files written with :meth:`write_file` (old run ledgers)."""
        ...

    def write_file(self, path: str, data: bytes, content_type: str) -> str:
        """Write a whole small file (a run report) at ``path`` under the store root, in one
        step: readers see all of it or nothing. Returns where it is (a path or URI)."""
        ...

    def append_file(self, path: str, data: bytes, size: int, content_type: str) -> str:
        """Add ``data`` at the end of a file this writer made with :meth:`write_file` and
        this method, which holds ``size`` bytes (0: a new file), sending only ``data``: a
        ledger uploaded during its run. A remote store's readers see the file before or
        after, whole; a local file is appended in place. A file that does not hold ``size``
        bytes is left as it is (StoreError)."""
        ...

    def delete(self, entry: dict[str, Any], reason: str, purpose: str | None = None) -> None:
        """Record the deletion of one stored version, for ``purpose`` only or for all;
        content and sidecar are removed once no purpose is left."""
        ...

    def check(self, event: dict[str, Any]) -> None:
        """Append a :func:`check_event` (it lists or removes nothing)."""
        ...

    def suppress(self, record: dict[str, Any]) -> None:
        """Append a suppression event (see :mod:`crawler.suppression`)."""
        ...

    def suppressions(self) -> list[dict[str, Any]]:
        """Every suppression event, oldest first."""
        ...

    def close(self) -> None: ...


def manifest_view(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold manifest events into the live versions, oldest first.

    Each entry is the version's latest commit event with ``purposes`` (the purposes it is
    stored for, in order of first commit) and the first ``committed_at`` (retention counts
    from there); the newest live version of each URL has ``current: True``. ``check``
    events since that commit add ``headers`` (as last revalidated) and ``missing`` (the
    runs in a row that got a 404 for it).
    """
    live: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        key = (event["url"], event["sha256"])
        if event.get("event") == "check":
            _apply_check(live.get(key), event)
            continue
        purpose = event.get("purpose")
        entry = live.pop(key, None)
        if event.get("event", "commit") == "delete":
            if entry is not None and purpose:
                entry["purposes"] = [p for p in entry["purposes"] if p != purpose]
                if entry["purposes"]:
                    live[key] = entry  # other purposes keep it
            continue
        merged = dict(event)
        merged.pop("purpose", None)
        merged["purposes"] = list(entry["purposes"]) if entry else []
        if entry is not None:
            merged["committed_at"] = entry["committed_at"]
        if purpose and purpose not in merged["purposes"]:
            merged["purposes"].append(purpose)
        live[key] = merged
    newest: dict[str, dict[str, Any]] = {}
    for entry in live.values():
        entry.setdefault("missing", [])
        entry["current"] = False
        newest[entry["url"]] = entry
    for entry in newest.values():
        entry["current"] = True
    return list(live.values())


def _apply_check(entry: dict[str, Any] | None, event: dict[str, Any]) -> None:
    if entry is None:
        return
    if event.get("status") == 404:
        if event.get("run_id") not in entry.setdefault("missing", []):
            entry["missing"] = [*entry["missing"], event.get("run_id")]
        return
    entry["missing"] = []
    if isinstance(event.get("headers"), dict):
        entry["headers"] = event["headers"]
