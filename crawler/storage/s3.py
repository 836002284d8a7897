"""S3 store (boto3): AWS, or any S3-compatible endpoint (MinIO, Ceph RGW, R2, ...).

Layout under ``s3://BUCKET/PREFIX/``::

    items/<safe host>/<url hash>/<content sha256>/content.<ext>                the item
    items/<safe host>/<url hash>/<content sha256>/content.<ext>.license.json   its sidecar
    manifest/events/<UTC time>-<uuid4>.json      one immutable object per commit/delete event
    manifest/snapshots/<UTC time>-<uuid4>.jsonl  events folded by compact() (optional)
    suppressions/<UTC time>-<uuid4>.json         one object per suppression event
    store.json                                   the store's format marker

Item paths are the same as :class:`~crawler.storage.local.LocalStore`'s (``keys.item_dir``:
hashes and a sanitised host only), so manifest entries look the same in both stores.

**Why the manifest is made of one object per event.** S3 cannot rename several objects
at once, so the item folder cannot appear atomically the way the local store's staging
rename does. Visibility therefore comes from the manifest alone: content is PUT, then the
sidecar (each a complete, checksummed PUT whose answer is verified), and only then is a
``commit`` event written. Readers trust only :func:`~crawler.storage.base.manifest_view`
of the events, so an item is never listed without both objects, at any crash point.

S3 has no append either. A single ``manifest.jsonl`` object would have to be read,
extended and rewritten by each writer: two workers (or a retry after a lost answer) would
overwrite each other's records. Instead each event is its own object under a key that no
other writer can produce (time + uuid4): a PUT is all-or-nothing, so an event is never
torn, and no writer can replace another's, so none is ever lost. A retried PUT of the same
event rewrites the same key with the same bytes, so it cannot duplicate a record. Event
names sort by time, which is the order :func:`manifest_view` folds them in (and so which
version is ``current``); ordering between *different machines* relies on their clocks.

**Compaction** (:meth:`S3Store.compact`) keeps opening cheap once there are many events:
it writes one snapshot holding every event it read, verified, and only then deletes the
objects it folded. Readers list event objects *before* snapshots and merge everything by
event name, so a crash or a concurrent compaction at any point can duplicate records
(harmless, they are keyed by name) but never hide one.

**Orphans.** A crash after the content or sidecar PUT leaves objects no event lists:
readers never see them, and the next put of that version reuses the content if its
checksum matches (otherwise rewrites it), rewrites the sidecar and commits.

**Deletion** writes a ``delete`` event first, then deletes both objects; a crash in
between leaves unlisted objects, like any orphan. On a bucket with versioning enabled,
deleting leaves noncurrent versions behind: expire them with a lifecycle rule.

Credentials come from the standard boto3 chain only (environment, profile, SSO, instance
or task role); ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3`` are honoured when no
``endpoint_url`` is given. Nothing here logs or formats credentials.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import logging
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

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
from crawler.storage.keys import extension_for, item_dir, safe_host

logger = logging.getLogger(__name__)

SSE_MODES = ("AES256", "aws:kms")
# Canned ACLs that keep the corpus private; public ones are refused (fail closed).
PRIVATE_ACLS = ("private", "bucket-owner-read", "bucket-owner-full-control")
RETRY_MODES = ("standard", "adaptive")

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,255}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MD5 = re.compile(r"[0-9a-f]{32}")
_EVENT_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{32}")
_CONTENT_TYPE = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")
# Printable ASCII kept readable in metadata; everything else (controls, %, non-ASCII) is
# percent-encoded, so a URL can neither break the header nor be mistaken for another.
_URL_SAFE = "!#$&'()*+,/:;=?@[]~-._"
_META_URL_MAX = 1024  # AWS allows 2 KB of user metadata in all
_MAX_KEY = 1024
_NOT_FOUND = ("NoSuchKey", "404", "NotFound")
_RESTARTS = 5


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


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


def _check_rel(path: str) -> str:
    """A store-relative path made of plain segments only: no ``..``, ``.``, empty segment,
    leading slash, backslash, NUL, percent or non-ASCII. Keys are flat in S3, but proxies
    and some S3-compatible servers normalise ``..`` in request paths; refuse them here."""
    segments = path.split("/")
    if (not path or len(path) > _MAX_KEY // 2
            or any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in segments)):
        raise StoreError(f"path outside the store: {path!r}")
    return path


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        return (f"{error.get('Code', 'error')} (HTTP {meta.get('HTTPStatusCode', '?')}, "
                f"{meta.get('RetryAttempts', 0) + 1} attempt(s))")
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found in the standard chain (environment, profile, role)"
    return f"{type(exc).__name__}: {exc}"


def _is_not_found(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND


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
                _check_rel(prefix)
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
        self._write_args: dict[str, str] = {}
        if sse:
            self._write_args["ServerSideEncryption"] = sse
        if kms_key_id:
            self._write_args["SSEKMSKeyId"] = kms_key_id
        if acl:
            self._write_args["ACL"] = acl
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
                raise StoreError(f"cannot open S3 store {self.root}: {_error_text(exc)}") from exc
        self.client: Any = client
        self._lock = threading.Lock()
        self._closed = False
        self._last_us = 0
        self._events: dict[str, dict[str, Any]] = {}  # event name -> event (immutable)
        self._snapshots: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.readonly = mode == READ
        try:
            self._listed = {(e["url"], e["sha256"]): (e["content"], e["sidecar"],
                                                      set(e["purposes"]) or {""})
                            for e in self.entries()}
            if mode != CREATE and not self._listed and not self._exists():
                raise StoreError("no store there")
            if not self.readonly and not self._exists():
                self._put(self._key(MARKER), json.dumps(FORMAT).encode(), "application/json",
                          {})
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
            self.client.head_object(Bucket=self.bucket, Key=self._key(MARKER))
            return True
        except ClientError as exc:
            if not _is_not_found(exc):
                raise StoreError(_error_text(exc)) from exc
        except BotoCoreError as exc:
            raise StoreError(_error_text(exc)) from exc
        return bool(self._list(self._events_prefix(), ".json")
                    or self._list(self._snapshots_prefix(), ".jsonl"))

    # -- keys ---------------------------------------------------------------------------

    def _key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _event_name(self) -> str:
        """Sortable by time (monotonic within this process), unique by uuid4."""
        with self._lock:
            now = max(time.time_ns() // 1000, self._last_us + 1)
            self._last_us = now
        seconds, micros = divmod(now, 1_000_000)
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%dT%H%M%S")
        return f"{stamp}.{micros:06d}Z-{uuid.uuid4().hex}"

    # -- S3 calls -----------------------------------------------------------------------

    def _call(self, what: str, key: str, method: Any, **kwargs: Any) -> Any:
        """One S3 request (botocore retries transient errors); failures become StoreError."""
        try:
            return method(Bucket=self.bucket, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 {what} s3://{self.bucket}/{key} failed: "
                             f"{_error_text(exc)}") from exc

    def _put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """A complete PUT with MD5 and SHA-256 for the server to check, then a check of its
        answer, so a body damaged on the way is never taken for the item."""
        md5, sha = hashlib.md5(body).digest(), hashlib.sha256(body).digest()
        answer = self._call("PutObject", key, self.client.put_object, Key=key, Body=body,
                            ContentType=content_type, ContentMD5=_b64(md5),
                            ChecksumAlgorithm="SHA256", ChecksumSHA256=_b64(sha),
                            Metadata=metadata, **self._write_args)
        if not self._answer_matches(answer, md5.hex(), _b64(sha), len(body), head=False):
            raise StoreError(f"S3 PutObject s3://{self.bucket}/{key}: the stored object does "
                             "not match what was sent (ETag/checksum mismatch)")

    @staticmethod
    def _answer_matches(answer: dict[str, Any], md5_hex: str, sha_b64: str, size: int,
                        head: bool) -> bool:
        """Compare a PUT or HEAD answer with the bytes we mean. The ETag is the MD5 of the
        body except under SSE-KMS (ours or the bucket's default) or SSE-C; the SHA-256
        checksum is echoed by AWS and most others.
        With neither available, a PUT is trusted (the server checked Content-MD5)."""
        checked = False
        checksum = answer.get("ChecksumSHA256")
        if checksum:
            if checksum != sha_b64:
                return False
            checked = True
        etag = str(answer.get("ETag", "")).strip('"')
        kms = str(answer.get("ServerSideEncryption", "")).startswith("aws:kms")
        if not kms and not answer.get("SSECustomerAlgorithm") and _MD5.fullmatch(etag):
            if etag != md5_hex:
                return False
            checked = True
        if head:
            return checked and answer.get("ContentLength") == size
        return True

    def _same_object(self, key: str, body: bytes) -> bool:
        """Does ``key`` already hold exactly ``body`` (an orphan from a crashed run)?"""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if _is_not_found(exc):
                return False
            raise StoreError(f"S3 HeadObject s3://{self.bucket}/{key} failed: "
                             f"{_error_text(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 HeadObject s3://{self.bucket}/{key} failed: "
                             f"{_error_text(exc)}") from exc
        return self._answer_matches(head, hashlib.md5(body).hexdigest(),
                                    _b64(hashlib.sha256(body).digest()), len(body), head=True)

    # -- manifest -----------------------------------------------------------------------

    def _events_prefix(self) -> str:
        return self._key("manifest/events/")

    def _snapshots_prefix(self) -> str:
        return self._key("manifest/snapshots/")

    def _list(self, prefix: str, suffix: str) -> list[str]:
        """Names (key minus prefix and suffix) of well-formed manifest objects."""
        names = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    name = obj["Key"][len(prefix):].removesuffix(suffix)
                    if obj["Key"].endswith(suffix) and _EVENT_NAME.fullmatch(name):
                        names.append(name)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 ListObjectsV2 s3://{self.bucket}/{prefix} failed: "
                             f"{_error_text(exc)}") from exc
        return names

    def _get(self, key: str) -> bytes:
        answer = self._call("GetObject", key, self.client.get_object, Key=key)
        try:
            return bytes(answer["Body"].read())
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"S3 GetObject s3://{self.bucket}/{key} failed: "
                             f"{_error_text(exc)}") from exc

    @staticmethod
    def _valid_event(event: Any, where: str) -> dict[str, Any]:
        """An unreadable event fails the read: silently skipping a ``delete`` would list
        an item whose objects are gone."""
        if (not isinstance(event, dict) or event.get("event") not in ("commit", "delete")
                or not isinstance(event.get("url"), str)
                or not isinstance(event.get("sha256"), str)
                or (event["event"] == "commit"
                    and not (isinstance(event.get("content"), str)
                             and isinstance(event.get("sidecar"), str)))):
            raise StoreError(f"malformed manifest event in {where}")
        return event

    def _fetch_event(self, name: str) -> dict[str, Any]:
        key = f"{self._events_prefix()}{name}.json"
        try:
            return self._valid_event(json.loads(self._get(key)), key)
        except ValueError as exc:
            raise StoreError(f"malformed manifest event in {key}") from exc

    def _fetch_snapshot(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        key = f"{self._snapshots_prefix()}{name}.jsonl"
        try:
            records = [json.loads(line) for line in self._get(key).splitlines() if line.strip()]
            return [(str(r["name"]), self._valid_event(r["event"], key)) for r in records
                    if _EVENT_NAME.fullmatch(str(r["name"]))]
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"malformed manifest snapshot {key}") from exc

    def _load(self) -> tuple[list[str], list[str], dict[str, dict[str, Any]]]:
        """(event names, snapshot names, every event by name). Events are listed before
        snapshots: an event a concurrent compaction removes in between is in a snapshot
        written before the removal. An object removed between listing and reading makes
        the whole read start again."""
        for _ in range(_RESTARTS):
            events = self._list(self._events_prefix(), ".json")
            snapshots = self._list(self._snapshots_prefix(), ".jsonl")
            try:
                self._fill(events, snapshots)
            except StoreError as exc:
                if isinstance(exc.__cause__, ClientError) and _is_not_found(exc.__cause__):
                    continue
                raise
            with self._lock:  # a compact() in another thread may drop cached names
                if any(n not in self._events for n in events) or \
                        any(n not in self._snapshots for n in snapshots):
                    continue
                merged: dict[str, dict[str, Any]] = {}
                for snapshot in snapshots:
                    merged.update(self._snapshots[snapshot])
                for name in events:
                    merged[name] = self._events[name]
            return events, snapshots, merged
        raise StoreError(f"the manifest of {self.root} kept changing while being read")

    def _fill(self, events: list[str], snapshots: list[str]) -> None:
        """Read the event and snapshot objects not read before (they never change)."""
        new_events = [n for n in events if n not in self._events]
        new_snapshots = [n for n in snapshots if n not in self._snapshots]
        if not new_events and not new_snapshots:
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            event_jobs = {n: pool.submit(self._fetch_event, n) for n in new_events}
            snapshot_jobs = {n: pool.submit(self._fetch_snapshot, n) for n in new_snapshots}
            for name, job in event_jobs.items():
                self._events[name] = job.result()
            for name, snap_job in snapshot_jobs.items():
                self._snapshots[name] = snap_job.result()

    def _append(self, event: dict[str, Any]) -> None:
        """Write one event object. If the answer is lost after the retries, a HEAD tells
        whether the write landed anyway (then the event is committed)."""
        name = self._event_name()
        key = f"{self._events_prefix()}{name}.json"
        body = json.dumps(event, ensure_ascii=True, sort_keys=True, default=str).encode()
        try:
            self._put(key, body, "application/json", {"event": str(event["event"])})
        except StoreError:
            try:
                landed = self._same_object(key, body)
            except StoreError:
                landed = False
            if not landed:
                raise
        with self._lock:
            self._events[name] = event

    def compact(self) -> int:
        """Fold every event object and snapshot into one new snapshot; returns how many
        objects were folded. Safe to run beside writers and other compactions: the new
        snapshot is written (and verified) before anything it folds is deleted, and each
        compaction deletes only what its snapshot holds."""
        self._check_open()
        events, snapshots, merged = self._load()
        if len(events) + len(snapshots) <= 1:
            return 0
        lines = [json.dumps({"name": n, "event": merged[n]}, ensure_ascii=True, sort_keys=True,
                            default=str) for n in sorted(merged)]
        name = self._event_name()
        self._put(f"{self._snapshots_prefix()}{name}.jsonl", ("\n".join(lines) + "\n").encode(),
                  "application/x-ndjson", {})
        self._snapshots[name] = sorted(merged.items())
        folded = [f"{self._events_prefix()}{n}.json" for n in events]
        folded += [f"{self._snapshots_prefix()}{n}.jsonl" for n in snapshots]
        for start in range(0, len(folded), 1000):
            batch = folded[start:start + 1000]
            answer = self._call("DeleteObjects", batch[0], self.client.delete_objects,
                                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StoreError(f"S3 DeleteObjects s3://{self.bucket}/{first.get('Key')} "
                                 f"failed: {first.get('Code')}")
        with self._lock:
            for n in events:
                self._events.pop(n, None)
            for n in snapshots:
                self._snapshots.pop(n, None)
        return len(folded)

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
        name = f"content.{extension_for(item.content_type)}"
        content_rel = _check_rel(f"{rel_dir}/{name}")  # defence in depth; keys are hashes
        sidecar_rel = _check_rel(f"{content_rel}{SIDECAR_SUFFIX}")
        with self._lock:
            listed = self._listed.get((item.url, item.sha256))
        if listed is not None and item.purpose in listed[2]:
            return Committed(rel_dir, listed[0], listed[1], new=False, content_new=False)
        if listed is not None:
            self._append(item.commit_event(listed[0], listed[1]))
            with self._lock:
                listed[2].add(item.purpose)
            return Committed(rel_dir, listed[0], listed[1], new=True, content_new=False)

        url_meta = {"source-url": _ascii_meta(item.url, _META_URL_MAX),
                    "url-sha256": hashlib.sha256(
                        item.url.encode("utf-8", "surrogatepass")).hexdigest(),
                    "host": safe_host(item.host), "kind": _ascii_meta(item.kind, 64),
                    "content-sha256": item.sha256}
        sidecar = json.dumps(item.sidecar, indent=2, ensure_ascii=False, sort_keys=True,
                             default=str).encode("utf-8", "surrogatepass")
        content_key, sidecar_key = self._key(content_rel), self._key(sidecar_rel)
        if not self._same_object(content_key, item.content):
            self._put(content_key, item.content, _content_type(item.content_type),
                      {**url_meta, "sha256": item.sha256, "role": "content"})
        self._put(sidecar_key, sidecar, "application/json; charset=utf-8",
                  {**url_meta, "sha256": hashlib.sha256(sidecar).hexdigest(), "role": "sidecar"})
        self._append(item.commit_event(content_rel, sidecar_rel))
        with self._lock:
            self._listed[(item.url, item.sha256)] = (content_rel, sidecar_rel, {item.purpose})
        return Committed(rel_dir, content_rel, sidecar_rel, new=True)

    def entries(self) -> list[dict[str, Any]]:
        self._check_open()
        _, _, merged = self._load()
        return manifest_view(merged[name] for name in sorted(merged))

    def read(self, path: str) -> bytes:
        self._check_open()
        key = self._key(_check_rel(path))
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            return bytes(answer["Body"].read())
        except ClientError as exc:
            what = "not found" if _is_not_found(exc) else _error_text(exc)
            raise StoreError(f"cannot read {path}: {what}") from exc
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"cannot read {path}: {_error_text(exc)}") from exc

    def delete(self, entry: dict[str, Any], reason: str, purpose: str | None = None) -> None:
        """Tombstone event first, then both objects: a crash in between leaves objects no
        reader lists (an orphan), never a listed item with a missing file. With a
        ``purpose``, the objects go only when the manifest (re-read after the tombstone)
        lists the version for no other purpose."""
        self._check_open(write=True)
        content = _check_rel(str(entry.get("content", "")))
        sidecar = _check_rel(str(entry.get("sidecar", "")))
        if not content.startswith("items/") or sidecar != f"{content}{SIDECAR_SUFFIX}":
            raise StoreError(f"not a stored item: {content!r}")
        self._append(delete_event({**entry, "content": content, "sidecar": sidecar}, reason,
                                  purpose))
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
            key = self._key(relative)
            self._call("DeleteObject", key, self.client.delete_object, Key=key)

    def _suppressions_prefix(self) -> str:
        return self._key("suppressions/")

    def suppress(self, record: dict[str, Any]) -> None:
        """One immutable object per suppression event, like manifest events."""
        self._check_open(write=True)
        body = json.dumps(record, ensure_ascii=True, sort_keys=True, default=str).encode()
        self._put(f"{self._suppressions_prefix()}{self._event_name()}.json", body,
                  "application/json", {})

    def suppressions(self) -> list[dict[str, Any]]:
        self._check_open()
        prefix = self._suppressions_prefix()
        out = []
        for name in self._list(prefix, ".json"):
            try:
                out.append(json.loads(self._get(f"{prefix}{name}.json")))
            except ValueError as exc:
                raise StoreError(f"malformed suppression {prefix}{name}.json") from exc
        return out

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_client:
            self.client.close()


# Keyword options open_store() passes through (everything but bucket and prefix).
S3_OPTIONS = frozenset(inspect.signature(S3Store.__init__).parameters) - {
    "self", "bucket", "prefix"}
