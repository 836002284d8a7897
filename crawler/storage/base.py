"""The store interface: commit an item and its sidecar together, or not at all.

The manifest is an append-only log of ``commit`` and ``delete`` events; its *view*
(:func:`manifest_view`) is what a reader trusts: one entry per stored version, with
``current`` set on the newest live version of each URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


#: S3 store options and the settings (or environment variables, for the CLI's purge and
#: export) that set them
S3_SETTINGS = {"sse": "COMPLIANCE_S3_SSE", "kms_key_id": "COMPLIANCE_S3_KMS_KEY_ID",
               "acl": "COMPLIANCE_S3_ACL"}


def s3_options(get: Callable[[str], Any]) -> dict[str, Any]:
    """S3 options from a settings or environment lookup (``settings.get``, ``os.environ.get``)."""
    return {option: get(name) or None for option, name in S3_SETTINGS.items()}


def open_store(uri: str, fsync: bool = True, **s3_options: Any) -> Store:
    """``PATH`` or ``file://PATH`` → a local store; ``s3://BUCKET[/PREFIX]`` → an S3 store.

    ``s3_options`` are :class:`~crawler.storage.s3.S3Store` keyword options (``sse``,
    ``kms_key_id``, ``acl``, ``endpoint_url``, ``max_attempts``, ...); ``None`` values mean
    "not set". They are refused for a local store, so a request for encryption is never
    silently dropped. ``fsync`` only concerns the local store (an S3 PUT is durable when
    it returns). Error messages never repeat the URI: it could hold credentials.
    """
    options = {name: value for name, value in s3_options.items() if value is not None}
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme == "s3":
        from crawler.storage.s3 import S3_OPTIONS, S3Store

        unknown = sorted(set(options) - S3_OPTIONS)
        if unknown:
            raise StoreError(f"unknown S3 store option(s) {unknown}")
        return S3Store.from_uri(uri, **options)
    if scheme not in ("", "file"):
        raise StoreError(f"unsupported store URI scheme {scheme!r} (use a local path or s3://)")
    if options:
        raise StoreError(f"S3 options {sorted(options)} given for a local store")
    from crawler.storage.local import LocalStore

    return LocalStore(uri.removeprefix("file://"), fsync=fsync)
