"""The store interface: commit an item and its sidecar together, or not at all."""

from __future__ import annotations

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
    """The store could not commit an item; it was not stored."""


class Store(Protocol):
    root: str

    def put(self, item: StoreItem) -> Committed: ...

    def close(self) -> None: ...


def open_store(uri: str, fsync: bool = True) -> Store:
    """``PATH`` or ``file://PATH`` → a local store (``s3://`` comes with the S3 store)."""
    from crawler.storage.local import LocalStore

    if "://" in uri and not uri.startswith("file://"):
        raise StoreError(f"unsupported store URI {uri!r} (use a local path)")
    return LocalStore(uri.removeprefix("file://"), fsync=fsync)
