"""S3 store (boto3): AWS, or any S3-compatible endpoint (MinIO, Ceph RGW, R2, ...).

Layout under ``s3://BUCKET/PREFIX/``::

    items/<safe host>/<url hash>/<content sha256>/content.<ext>                the item
    items/<safe host>/<url hash>/<content sha256>/content.<ext>.license.json   its sidecar
    manifest/events/<UTC time>-<uuid4>.json      one immutable object per commit/delete/check event
    manifest/snapshots/<UTC time>-<uuid4>.jsonl  events folded by compact() (optional)
    suppressions/<UTC time>-<uuid4>.json         one object per suppression event
    store.json                                   the store's format marker

Item paths are the same as :class:`~crawler.storage.local.LocalStore`'s (``keys.item_dir``:
hashes and a sanitised host only), so manifest entries look the same in both stores.

S3 cannot rename several objects at once, so the item folder cannot appear atomically
the way the local store's staging rename does. Visibility therefore comes from the
manifest alone: content is PUT, then the sidecar (each a complete, checksummed PUT whose
answer is verified, see :mod:`crawler.storage.s3_objects`), and only then is a ``commit``
event written. Readers trust only :func:`~crawler.storage.base.manifest_view` of the
events, so an item is never listed without both objects, at any crash point. Why the
manifest is one object per event, and how compaction stays safe beside writers: see
:mod:`crawler.storage.s3_manifest`.

**Orphans.** A crash after the content or sidecar PUT leaves objects no event lists:
readers never see them, and the next put of that version reuses the content if its
checksum matches (otherwise rewrites it), rewrites the sidecar and commits.

**Deletion** writes a ``delete`` event first, then deletes both objects; a crash in
between leaves unlisted objects, like any orphan. On a bucket with versioning enabled,
deleting leaves noncurrent versions behind: expire them with a lifecycle rule.

**Run ledgers** (``ledger/<run>/<writer>.jsonl``) grow during their run: each upload adds
the new lines with a multipart upload that copies the object inside S3 (UploadPartCopy)
and sends only the new lines, past 5 MiB (:meth:`S3Store.append_file`). Its credentials
need ``s3:AbortMultipartUpload`` to clean up after a failed one; a server without part
copy makes the writer send the whole file instead.

Credentials come from the standard boto3 chain only (environment, profile, SSO, instance
or task role); ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3`` are honoured when no
``endpoint_url`` is given. Nothing here logs or formats credentials.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from crawler.storage.base import (
    CREATE,
    FORMAT,
    MARKER,
    READ,
    SIDECAR_SUFFIX,
    Committed,
    StoreError,
    StoreItem,
    delete_event,
    manifest_view,
)
from crawler.storage.keys import content_name, item_dir, safe_host
from crawler.storage.s3_manifest import S3Manifest
from crawler.storage.s3_objects import S3Objects, check_rel, error_text, is_not_found

logger = logging.getLogger(__name__)

SSE_MODES = ("AES256", "aws:kms")
# Canned ACLs that keep the corpus private; public ones are refused (fail closed).
PRIVATE_ACLS = ("private", "bucket-owner-read", "bucket-owner-full-control")
RETRY_MODES = ("standard", "adaptive")

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTENT_TYPE = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")
# Printable ASCII kept readable in metadata; everything else (controls, %, non-ASCII) is
# percent-encoded, so a URL can neither break the header nor be mistaken for another.
_URL_SAFE = "!#$&'()*+,/:;=?@[]~-._"
_META_URL_MAX = 1024  # AWS allows 2 KB of user metadata in all


def _ascii_meta(text: str, limit: int = 256) -> str:
    """Percent-encode ``text`` into header-safe ASCII, cut at ``limit`` between characters
    (never inside an escape or a UTF-8 sequence, so the cut value still decodes)."""
    pieces, size = [], 0
    for char in text:
        piece = quote(char.encode("utf-8", "surrogatepass"), safe=_URL_SAFE)
        if size + len(piece) > limit:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)


def _content_type(value: str) -> str:
    """The item's declared type if it is one plain header value, else a neutral one."""
    value = value.strip()
    return value if _CONTENT_TYPE.fullmatch(value) else "application/octet-stream"


class S3Store:
    """Items and sidecars in an S3 bucket under a prefix; see the module docstring.

    Options (all keyword):

    - ``endpoint_url``: S3-compatible endpoint; default: ``AWS_ENDPOINT_URL[_S3]`` or AWS.
    - ``region_name``: default from the boto3 chain.
    - ``sse``: ``"AES256"`` (SSE-S3) or ``"aws:kms"`` (SSE-KMS); ``kms_key_id`` implies KMS.
    - ``acl``: a private canned ACL (``private``, ``bucket-owner-read``,
      ``bucket-owner-full-control``) or ``None`` to send none (needed on buckets with
      ACLs disabled, the AWS default since 2023). Public ACLs are refused.
    - ``max_attempts``: total attempts per request (1 = no retry), botocore ``retry_mode``
      ``standard`` or ``adaptive`` (client-side rate limiting on throttling).
    - ``connect_timeout``/``read_timeout``: seconds per attempt.
    - ``addressing_style``: ``path`` or ``virtual`` (``None``: botocore decides).
    - ``client``: a ready boto3 S3 client (then the connection options above are unused).
    """

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region_name: str | None = None, sse: str | None = None,
                 kms_key_id: str | None = None, acl: str | None = None, max_attempts: int = 5,
                 retry_mode: str = "standard", connect_timeout: float = 10.0,
                 read_timeout: float = 60.0, addressing_style: str | None = None,
                 client: BaseClient | None = None, workers: int = 16, mode: str = CREATE):
        if not _BUCKET.fullmatch(bucket) or ".." in bucket:
            raise StoreError(f"invalid S3 bucket name {bucket!r}")
        prefix = prefix.strip("/")
        if prefix:
            try:
                check_rel(prefix)
            except StoreError:
                raise StoreError(f"invalid S3 prefix {prefix!r}: use segments of "
                                 "[A-Za-z0-9._-], no '.' or '..'") from None
        if kms_key_id and sse is None:
            sse = "aws:kms"
        if sse is not None and sse not in SSE_MODES:
            raise StoreError(f"S3 server-side encryption must be one of {SSE_MODES}, not {sse!r}")
        if kms_key_id and sse != "aws:kms":
            raise StoreError("a KMS key id needs server-side encryption aws:kms")
        if acl is not None and acl not in PRIVATE_ACLS:
            raise StoreError(f"S3 ACL must be one of {PRIVATE_ACLS} (or unset), not {acl!r}")
        if retry_mode not in RETRY_MODES:
            raise StoreError(f"S3 retry mode must be one of {RETRY_MODES}, not {retry_mode!r}")
        try:
            max_attempts = int(max_attempts)
            connect_timeout, read_timeout = float(connect_timeout), float(read_timeout)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"bad S3 retry or timeout option: {exc}") from None
        if max_attempts < 1:
            raise StoreError("S3 max_attempts must be at least 1")
        self.bucket = bucket
        self.prefix = prefix
        self.root = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        self.sse = sse
        self.workers = max(1, workers)
        write_args: dict[str, str] = {}
        if sse:
            write_args["ServerSideEncryption"] = sse
        if kms_key_id:
            write_args["SSEKMSKeyId"] = kms_key_id
        if acl:
            write_args["ACL"] = acl
        self._owns_client = client is None
        if client is None:
            s3_config: dict[str, str] = {}
            if addressing_style:
                s3_config["addressing_style"] = addressing_style
            config = Config(
                retries={"mode": retry_mode, "total_max_attempts": max_attempts},
                connect_timeout=connect_timeout, read_timeout=read_timeout,
                max_pool_connections=max(10, self.workers), s3=s3_config or None,
                # We send our own SHA-256 and MD5 with each PUT; botocore's default CRC32
                # trailers are refused by several S3-compatible servers.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                user_agent_extra="compliance-crawler")
            try:
                client = boto3.session.Session().client(
                    "s3", endpoint_url=endpoint_url, region_name=region_name, config=config)
            except (BotoCoreError, ValueError) as exc:
                raise StoreError(f"cannot open S3 store {self.root}: {error_text(exc)}") from exc
        self.client: Any = client
        self._objects = S3Objects(client, bucket, prefix, write_args)
        self._manifest = S3Manifest(self._objects, self.root, self.workers)
        self._lock = threading.Lock()
        self._closed = False
        self.readonly = mode == READ
        try:
            self._listed = {(e["url"], e["sha256"]): (e["content"], e["sidecar"],
                                                      set(e["purposes"]) or {""})
                            for e in self.entries()}
            if mode != CREATE and not self._listed and not self._exists():
                raise StoreError("no store there")
            if not self.readonly and not self._exists():
                self._objects.put(self._objects.key(MARKER), json.dumps(FORMAT).encode(),
                                  "application/json", {})
        except StoreError as exc:
            raise StoreError(f"cannot open S3 store {self.root}: {exc}") from exc
        logger.debug("S3 store %s opened (%d live versions)", self.root, len(self._listed))

    @classmethod
    def from_uri(cls, uri: str, **options: Any) -> S3Store:
        """``s3://bucket[/prefix]``. Credentials in the URI are refused (and not echoed)."""
        parts = urlsplit(uri)
        if parts.scheme.lower() != "s3":
            raise StoreError("an S3 store URI starts with s3://")
        if "@" in parts.netloc:
            raise StoreError("credentials in the store URI are refused: use the AWS "
                             "credential chain (environment, profile, role)")
        if parts.query or parts.fragment:
            raise StoreError("an S3 store URI takes no query or fragment; pass options")
        return cls(parts.netloc, parts.path, **options)

    def __repr__(self) -> str:
        return f"S3Store({self.root!r})"

    def _exists(self) -> bool:
        """The marker object, or (stores written before it existed) any manifest object."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._objects.key(MARKER))
            return True
        except ClientError as exc:
            if not is_not_found(exc):
                raise StoreError(error_text(exc)) from exc
        except BotoCoreError as exc:
            raise StoreError(error_text(exc)) from exc
        return self._manifest.any_objects()

    def _event_name(self) -> str:
        """A new name for an event, snapshot or suppression object."""
        return self._objects.new_name()

    def compact(self) -> int:
        """Fold the manifest into one snapshot (see :meth:`S3Manifest.compact`)."""
        self._check_open()
        return self._manifest.compact()

    # -- Store interface ----------------------------------------------------------------

    def _check_open(self, write: bool = False) -> None:
        if self._closed:
            raise StoreError(f"S3 store {self.root} is closed")
        if write and self.readonly:
            raise StoreError(f"S3 store {self.root} is open read-only")

    def put(self, item: StoreItem) -> Committed:
        """Content, then sidecar, then the commit event; ``new`` is False when this version
        of this URL is already listed for this purpose (then nothing at all is written); a
        version listed for another purpose gains a commit event for this one, and its
        objects are not rewritten."""
        self._check_open(write=True)
        if not _SHA256.fullmatch(item.sha256) or \
                hashlib.sha256(item.content).hexdigest() != item.sha256:
            raise StoreError(f"content of {item.url} does not match its sha256")
        rel_dir = item_dir(item.host, item.url, item.sha256)
        name = content_name(item.content_type)
        content_rel = check_rel(f"{rel_dir}/{name}")  # defence in depth; keys are hashes
        sidecar_rel = check_rel(f"{content_rel}{SIDECAR_SUFFIX}")
        with self._lock:
            listed = self._listed.get((item.url, item.sha256))
        if listed is not None and item.purpose in listed[2]:
            return Committed(listed[0], listed[1], new=False, content_new=False)
        if listed is not None:
            self._manifest.append(item.commit_event(listed[0], listed[1]))
            with self._lock:
                listed[2].add(item.purpose)
            return Committed(listed[0], listed[1], new=True, content_new=False)

        url_meta = {"source-url": _ascii_meta(item.url, _META_URL_MAX),
                    "url-sha256": hashlib.sha256(
                        item.url.encode("utf-8", "surrogatepass")).hexdigest(),
                    "host": safe_host(item.host), "kind": _ascii_meta(item.kind, 64),
                    "content-sha256": item.sha256}
        sidecar = json.dumps(item.sidecar, indent=2, ensure_ascii=False, sort_keys=True,
                             default=str).encode("utf-8", "surrogatepass")
        content_key, sidecar_key = self._objects.key(content_rel), self._objects.key(sidecar_rel)
        if not self._objects.same_object(content_key, item.content):
            self._objects.put(content_key, item.content, _content_type(item.content_type),
                              {**url_meta, "sha256": item.sha256, "role": "content"})
        self._objects.put(sidecar_key, sidecar, "application/json; charset=utf-8",
                          {**url_meta, "sha256": hashlib.sha256(sidecar).hexdigest(),
                           "role": "sidecar"})
        self._manifest.append(item.commit_event(content_rel, sidecar_rel))
        with self._lock:
            self._listed[(item.url, item.sha256)] = (content_rel, sidecar_rel, {item.purpose})
        return Committed(content_rel, sidecar_rel, new=True)

    def put_many(self, items: Sequence[StoreItem]) -> list[Committed | StoreError]:
        """One after the other: each S3 PUT is durable when it is answered."""
        results: list[Committed | StoreError] = []
        for item in items:
            try:
                results.append(self.put(item))
            except StoreError as exc:
                results.append(exc)
        return results

    def entries(self) -> list[dict[str, Any]]:
        self._check_open()
        return manifest_view(self._manifest.events())

    def list_files(self, directory: str, recursive: bool = False) -> list[str]:
        self._check_open()
        prefix = self._objects.key(check_rel(directory)) + "/"
        strip = len(self._objects.key(""))
        delimiter = {} if recursive else {"Delimiter": "/"}
        try:
            return sorted(obj["Key"][strip:]
                          for page in self.client.get_paginator("list_objects_v2").paginate(
                              Bucket=self.bucket, Prefix=prefix, **delimiter)
                          for obj in page.get("Contents", []))
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"cannot list {directory}: {error_text(exc)}") from exc

    def local_path(self, path: str) -> None:
        return None

    def delete_files(self, paths: list[str]) -> None:
        self._check_open(write=True)
        self._objects.delete_keys([self._objects.key(check_rel(p)) for p in paths])

    def write_file(self, path: str, data: bytes, content_type: str) -> str:
        self._check_open(write=True)
        key = self._objects.key(check_rel(path))
        self._objects.put(key, data, content_type, {})  # one PUT: all of it or nothing
        return f"s3://{self.bucket}/{key}"

    def append_file(self, path: str, data: bytes, size: int, content_type: str) -> str:
        self._check_open(write=True)
        key = self._objects.key(check_rel(path))
        self._objects.append(key, data, size, content_type)
        return f"s3://{self.bucket}/{key}"

    def read(self, path: str, start: int = 0, length: int | None = None) -> bytes:
        self._check_open()
        key = self._objects.key(check_rel(path))
        if length == 0:
            return b""
        span = {} if start == 0 and length is None else {
            "Range": f"bytes={start}-{'' if length is None else start + length - 1}"}
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, **span)
            return bytes(answer["Body"].read())
        except ClientError as exc:
            what = "not found" if is_not_found(exc) else error_text(exc)
            raise StoreError(f"cannot read {path}: {what}") from exc
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"cannot read {path}: {error_text(exc)}") from exc

    def check(self, event: dict[str, Any]) -> None:
        self._check_open(write=True)
        self._manifest.append(event)

    def delete(self, entry: dict[str, Any], reason: str, purpose: str | None = None) -> None:
        """Tombstone event first, then both objects: a crash in between leaves objects no
        reader lists (an orphan), never a listed item with a missing file. With a
        ``purpose``, the objects go only when the manifest (re-read after the tombstone)
        lists the version for no other purpose."""
        self._check_open(write=True)
        content = check_rel(str(entry.get("content", "")))
        sidecar = check_rel(str(entry.get("sidecar", "")))
        if not content.startswith("items/") or sidecar != f"{content}{SIDECAR_SUFFIX}":
            raise StoreError(f"not a stored item: {content!r}")
        self._manifest.append(delete_event({**entry, "content": content, "sidecar": sidecar},
                                           reason, purpose))
        key = (entry["url"], entry["sha256"])
        if purpose and any((e["url"], e["sha256"]) == key for e in self.entries()):
            with self._lock:
                listed = self._listed.get(key)
                if listed is not None:
                    listed[2].discard(purpose)
            return  # stored for other purposes too: the objects stay
        with self._lock:
            self._listed.pop(key, None)
        for relative in (content, sidecar):
            key = self._objects.key(relative)
            self._objects.call("DeleteObject", key, self.client.delete_object, Key=key)

    def _suppressions_prefix(self) -> str:
        return self._objects.key("suppressions/")

    def suppress(self, record: dict[str, Any]) -> None:
        """One immutable object per suppression event, like manifest events."""
        self._check_open(write=True)
        body = json.dumps(record, ensure_ascii=True, sort_keys=True, default=str).encode()
        self._objects.put(f"{self._suppressions_prefix()}{self._event_name()}.json", body,
                          "application/json", {})

    def suppressions(self) -> list[dict[str, Any]]:
        self._check_open()
        prefix = self._suppressions_prefix()
        out = []
        for name in self._objects.list_names(prefix, ".json"):
            try:
                out.append(json.loads(self._objects.get(f"{prefix}{name}.json")))
            except ValueError as exc:
                raise StoreError(f"malformed suppression {prefix}{name}.json") from exc
        return out

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_client:
            self.client.close()
