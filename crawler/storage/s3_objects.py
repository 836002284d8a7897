"""S3 requests for one bucket prefix: checked PUTs, GETs, and time-named objects.

Every PUT carries its MD5 and SHA-256 for the server to check, and its answer is compared
with what was sent, so a body damaged on the way is never taken for the item. Every
failure becomes a :class:`~crawler.storage.base.StoreError` whose text names the request
and the key, never a credential.

Manifest events, snapshots and suppressions are named ``<UTC time>-<uuid4>``
(:meth:`S3Objects.new_name`): names sort in write order, and no other writer can produce
the same one.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from crawler.storage.base import StoreError

_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,255}")
_MD5 = re.compile(r"[0-9a-f]{32}")
#: the name of a manifest event, snapshot or suppression object (key minus prefix and suffix)
EVENT_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{32}")
_MAX_KEY = 1024
_NOT_FOUND = ("NoSuchKey", "404", "NotFound")


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def check_rel(path: str) -> str:
    """A store-relative path made of plain segments only: no ``..``, ``.``, empty segment,
    leading slash, backslash, NUL, percent or non-ASCII. Keys are flat in S3, but proxies
    and some S3-compatible servers normalise ``..`` in request paths; refuse them here."""
    segments = path.split("/")
    if (not path or len(path) > _MAX_KEY // 2
            or any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in segments)):
        raise StoreError(f"path outside the store: {path!r}")
    return path


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        return (f"{error.get('Code', 'error')} (HTTP {meta.get('HTTPStatusCode', '?')}, "
                f"{meta.get('RetryAttempts', 0) + 1} attempt(s))")
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found in the standard chain (environment, profile, role)"
    return f"{type(exc).__name__}: {exc}"


def is_not_found(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND


class S3Objects:
    """The objects under ``prefix`` in ``bucket``, through a boto3 S3 ``client``.

    ``write_args`` (server-side encryption, KMS key, ACL) go with every PUT.
    """

    def __init__(self, client: Any, bucket: str, prefix: str, write_args: dict[str, str]):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.write_args = write_args
        self._lock = threading.Lock()
        self._last_us = 0

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def new_name(self) -> str:
        """Sortable by time (monotonic within this process), unique by uuid4."""
        with self._lock:
            now = max(time.time_ns() // 1000, self._last_us + 1)
            self._last_us = now
        seconds, micros = divmod(now, 1_000_000)
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%dT%H%M%S")
        return f"{stamp}.{micros:06d}Z-{uuid.uuid4().hex}"

    def call(self, what: str, key: str, method: Any, **kwargs: Any) -> Any:
        """One S3 request (botocore retries transient errors); failures become StoreError."""
        try:
            return method(Bucket=self.bucket, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 {what} s3://{self.bucket}/{key} failed: "
                             f"{error_text(exc)}") from exc

    def put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """A complete PUT with MD5 and SHA-256 for the server to check, then a check of its
        answer, so a body damaged on the way is never taken for the item."""
        md5, sha = hashlib.md5(body).digest(), hashlib.sha256(body).digest()
        answer = self.call("PutObject", key, self.client.put_object, Key=key, Body=body,
                           ContentType=content_type, ContentMD5=b64(md5),
                           ChecksumAlgorithm="SHA256", ChecksumSHA256=b64(sha),
                           Metadata=metadata, **self.write_args)
        if not _answer_matches(answer, md5.hex(), b64(sha), len(body), head=False):
            raise StoreError(f"S3 PutObject s3://{self.bucket}/{key}: the stored object does "
                             "not match what was sent (ETag/checksum mismatch)")

    def same_object(self, key: str, body: bytes) -> bool:
        """Does ``key`` already hold exactly ``body`` (an orphan from a crashed run)?"""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if is_not_found(exc):
                return False
            raise StoreError(f"S3 HeadObject s3://{self.bucket}/{key} failed: "
                             f"{error_text(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 HeadObject s3://{self.bucket}/{key} failed: "
                             f"{error_text(exc)}") from exc
        return _answer_matches(head, hashlib.md5(body).hexdigest(),
                               b64(hashlib.sha256(body).digest()), len(body), head=True)

    def get(self, key: str) -> bytes:
        answer = self.call("GetObject", key, self.client.get_object, Key=key)
        try:
            return bytes(answer["Body"].read())
        except (BotoCoreError, OSError) as exc:
            raise StoreError(f"S3 GetObject s3://{self.bucket}/{key} failed: "
                             f"{error_text(exc)}") from exc

    def delete_keys(self, keys: list[str]) -> None:
        """Delete whole objects by key, 1000 a request (the most DeleteObjects takes)."""
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            answer = self.call("DeleteObjects", batch[0], self.client.delete_objects,
                               Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StoreError(f"S3 DeleteObjects s3://{self.bucket}/{first.get('Key')} "
                                 f"failed: {first.get('Code')}")

    def list_names(self, prefix: str, suffix: str) -> list[str]:
        """Names (key minus prefix and suffix) of the well-named objects under ``prefix``
        (see :data:`EVENT_NAME`); other objects are ignored."""
        names = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    name = obj["Key"][len(prefix):].removesuffix(suffix)
                    if obj["Key"].endswith(suffix) and EVENT_NAME.fullmatch(name):
                        names.append(name)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 ListObjectsV2 s3://{self.bucket}/{prefix} failed: "
                             f"{error_text(exc)}") from exc
        return names


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
