"""The store interface: commit an item and its sidecar together, or not at all.

The manifest is an append-only log of ``commit`` and ``delete`` events; its *view*
(:func:`manifest_view`) is what a reader trusts: one entry per stored version, with
``current`` set on the newest live version of each URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

SIDECAR_SUFFIX = ".license.json"
MANIFEST = "manifest.jsonl"


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


@dataclass(frozen=True)
class Committed:
    item_dir: str
    content_path: str
    sidecar_path: str
    new: bool  # False when this exact version of this URL was already stored


class StoreError(Exception):
    """The store could not commit or delete an item."""


class Store(Protocol):
    root: str

    def put(self, item: StoreItem) -> Committed: ...

    def entries(self) -> list[dict[str, Any]]:
        """The manifest view: live stored versions (see :func:`manifest_view`)."""
        ...

    def read(self, path: str) -> bytes:
        """Bytes of a content or sidecar file, by its path relative to the store root."""
        ...

    def delete(self, entry: dict[str, Any], reason: str) -> None:
        """Remove one stored version (content and sidecar) and record the deletion."""
        ...

    def close(self) -> None: ...


def manifest_view(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold manifest events into the live versions, oldest first; the newest live version
    of each URL has ``current: True``."""
    live: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        key = (event["url"], event["sha256"])
        if event.get("event", "commit") == "delete":
            live.pop(key, None)
        else:
            live.pop(key, None)
            live[key] = dict(event)
    newest: dict[str, dict[str, Any]] = {}
    for entry in live.values():
        entry["current"] = False
        newest[entry["url"]] = entry
    for entry in newest.values():
        entry["current"] = True
    return list(live.values())


def open_store(uri: str, fsync: bool = True) -> Store:
    """``PATH`` or ``file://PATH`` → a local store (``s3://`` comes with the S3 store)."""
    from crawler.storage.local import LocalStore

    if "://" in uri and not uri.startswith("file://"):
        raise StoreError(f"unsupported store URI {uri!r} (use a local path)")
    return LocalStore(uri.removeprefix("file://"), fsync=fsync)
