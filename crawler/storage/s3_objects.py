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
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from crawler.storage.base import StoreError

logger = logging.getLogger(__name__)

_SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,255}")
_MD5 = re.compile(r"[0-9a-f]{32}")
#: the name of a manifest event, snapshot or suppression object (key minus prefix and suffix)
EVENT_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{32}")
_MAX_KEY = 1024
#: S3's smallest part of a multipart upload (all but the last), and its largest copied part
MIN_PART = 5 * 1024 ** 2
MAX_PART = 5 * 1024 ** 3
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

    def append(self, key: str, data: bytes, size: int, content_type: str) -> None:
        """Make ``key``, which holds ``size`` bytes, hold them and ``data`` after them, in
        one step: readers see the old object or the new one.

        Only ``data`` goes over the network: a multipart upload copies the old bytes inside
        S3 (UploadPartCopy, at most 5 GiB a part, of the object as it was when checked) and
        takes ``data`` as its last part. Below :data:`MIN_PART`, the smallest part S3 takes
        but the last, the old bytes are read back and PUT again with ``data``."""
        if size < MIN_PART:
            old = self.get(key, missing=b"")  # a new file when size is 0
            self._check_size(key, len(old), size)
            self.put(key, old + data, content_type, {})
            return
        head = self.call("HeadObject", key, self.client.head_object, Key=key)
        self._check_size(key, head.get("ContentLength"), size)
        upload = self.call("CreateMultipartUpload", key, self.client.create_multipart_upload,
                           Key=key, ContentType=content_type, **self.write_args)["UploadId"]
        try:
            copies = -(-size // MAX_PART)
            parts = []
            for n in range(copies):
                answer = self.call(
                    "UploadPartCopy", key, self.client.upload_part_copy, Key=key,
                    UploadId=upload, PartNumber=n + 1, CopySourceIfMatch=head["ETag"],
                    CopySource={"Bucket": self.bucket, "Key": key},
                    CopySourceRange=f"bytes={size * n // copies}-{size * (n + 1) // copies - 1}")
                parts.append({"PartNumber": n + 1,
                              "ETag": self._etag(key, answer.get("CopyPartResult", {}))})
            answer = self.call("UploadPart", key, self.client.upload_part, Key=key,
                               UploadId=upload, PartNumber=copies + 1, Body=data,
                               ContentMD5=b64(hashlib.md5(data).digest()))
            parts.append({"PartNumber": copies + 1, "ETag": self._etag(key, answer)})
            self.call("CompleteMultipartUpload", key, self.client.complete_multipart_upload,
                      Key=key, UploadId=upload, MultipartUpload={"Parts": parts})
        except BaseException:  # a StoreError, or the process stopped: no parts left behind
            try:  # else the parts stay in the bucket, billed, until a lifecycle rule
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            except (ClientError, BotoCoreError) as exc:
                logger.warning("S3 AbortMultipartUpload s3://%s/%s (upload %s) failed: %s",
                               self.bucket, key, upload, error_text(exc))
            raise
        head = self.call("HeadObject", key, self.client.head_object, Key=key)
        self._check_size(key, head.get("ContentLength"), size + len(data))

    def _etag(self, key: str, answer: dict[str, Any]) -> str:
        """A part's ETag from the server's answer (a malformed answer is a StoreError)."""
        etag = answer.get("ETag")
        if not isinstance(etag, str):
            raise StoreError(f"S3 append s3://{self.bucket}/{key}: a part's answer has no ETag")
        return etag

    def _check_size(self, key: str, held: int | None, size: int) -> None:
        if held != size:
            raise StoreError(f"S3 append s3://{self.bucket}/{key}: the object holds {held} "
                             f"bytes, not the {size} this writer wrote")

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

    def get(self, key: str, missing: bytes | None = None) -> bytes:
        """The object's bytes; a missing object reads as ``missing`` if given (else, as
        any failure, a StoreError)."""
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if missing is not None and is_not_found(exc):
                return missing
            failure: BaseException = exc
        except (BotoCoreError, OSError) as exc:
            failure = exc
        raise StoreError(f"S3 GetObject s3://{self.bucket}/{key} failed: "
                         f"{error_text(failure)}") from failure

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
